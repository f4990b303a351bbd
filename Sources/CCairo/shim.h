#ifndef PRECIS_CCAIRO_SHIM_H
#define PRECIS_CCAIRO_SHIM_H
// cairo, for IngestTests only: it writes the PDFs the ingestion tests read.
#include <cairo.h>
#include <cairo-pdf.h>
#endif
