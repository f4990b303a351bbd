#ifndef PRECIS_CLIBXML2_SHIM_H
#define PRECIS_CLIBXML2_SHIM_H
// libxml2, for the Ingest module only.
// libxml2's ICU headers clash with Foundation's (`UErrorCode has different definitions`):
// include xmlversion.h first and switch its ICU support off before the other headers.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>
#include <libxml/encoding.h>
#include <libxml/globals.h>
#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/parserInternals.h>

/// The SAX2 magic number (`XML_SAX2_MAGIC`, a macro) that marks an initialised xmlSAXHandler.
static inline unsigned int precis_xml_sax2_magic(void) { return XML_SAX2_MAGIC; }

/// The runtime libxml2 version, e.g. "20914" (`xmlParserVersion` is a macro over a thread-local).
static inline const char *precis_xml_parser_version(void) { return xmlParserVersion; }
#endif
