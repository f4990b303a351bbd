#ifndef PRECIS_CPOPPLER_SHIM_H
#define PRECIS_CPOPPLER_SHIM_H
// poppler-glib (PDF), with glib and cairo, for the Ingest module only.
#include <poppler.h>
#include <glib.h>
#include <cairo.h>
#include <cairo-pdf.h>

/// Frees a GError (NULL is fine).
static inline void precis_gerror_free(GError *error) { if (error) g_error_free(error); }
/// g_object_unref for any poppler object (NULL is fine).
static inline void precis_gobject_unref(void *object) { if (object) g_object_unref(object); }
#endif
