import CCairo
import Foundation

/// Writes test PDFs with cairo: text in DejaVu fonts at given positions and sizes, paragraphs wrapped into
/// columns (optionally hyphenating a word at a line end), and image-only pages.
final class PDFWriter {
    let width: Double, height: Double
    private let surface: OpaquePointer
    private let cr: OpaquePointer

    init(path: String, width: Double = 595, height: Double = 842, title: String? = nil, author: String? = nil) {
        self.width = width
        self.height = height
        surface = cairo_pdf_surface_create(path, width, height)
        cr = cairo_create(surface)
        if let title { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title) }
        if let author { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, author) }
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, "2023-04-05T06:07:08Z")
    }

    private func font(_ size: Double, bold: Bool) {
        cairo_select_font_face(cr, "DejaVu Serif", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
    }

    /// One line of text with its baseline at `y`.
    func text(_ s: String, x: Double, y: Double, size: Double = 10, bold: Bool = false) {
        font(size, bold: bold)
        cairo_move_to(cr, x, y)
        cairo_show_text(cr, s)
    }

    func textWidth(_ s: String, size: Double, bold: Bool = false) -> Double {
        font(size, bold: bold)
        var extents = cairo_text_extents_t()
        cairo_text_extents(cr, s, &extents)
        return extents.x_advance
    }

    /// Wraps `paragraph` into lines no wider than `width`, starting with a baseline at `y`; returns the baseline
    /// after the last line. A word listed in `hyphenate` (as "hyphen|ation") is split there across two lines.
    @discardableResult
    func paragraph(_ paragraph: String, x: Double, y: Double, width: Double, size: Double = 10, leading: Double = 12,
                   hyphenate: [String] = []) -> Double {
        var words = paragraph.split(separator: " ").map(String.init)
        var line = ""
        var baseline = y
        func emit() {
            text(line, x: x, y: baseline, size: size)
            baseline += leading
            line = ""
        }
        while !words.isEmpty {
            let word = words.removeFirst()
            let candidate = line.isEmpty ? word : line + " " + word
            let split = hyphenate.first(where: { $0.replacingOccurrences(of: "|", with: "") == word })
            if textWidth(candidate, size: size) <= width && split == nil {
                line = candidate
                continue
            }
            // A word to hyphenate always breaks there (as a justified layout would), when its head fits.
            if let split {
                let parts = split.split(separator: "|").map(String.init)
                let head = (line.isEmpty ? "" : line + " ") + parts[0] + "-"
                if textWidth(head, size: size) <= width {
                    line = head
                    emit()
                    words.insert(parts[1], at: 0)
                    continue
                }
            }
            emit()
            line = word
        }
        if !line.isEmpty { emit() }
        return baseline
    }

    /// A grey image covering most of the page (a "scan" without a text layer).
    func image() {
        let img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 200, 280)
        let icr = cairo_create(img)
        cairo_set_source_rgb(icr, 0.8, 0.8, 0.8)
        cairo_paint(icr)
        cairo_set_source_rgb(icr, 0.1, 0.1, 0.1)
        cairo_rectangle(icr, 20, 20, 160, 10)
        cairo_fill(icr)
        cairo_destroy(icr)
        cairo_save(cr)
        cairo_scale(cr, 2.5, 2.5)
        cairo_set_source_surface(cr, img, 20, 20)
        cairo_paint(cr)
        cairo_restore(cr)
        cairo_surface_destroy(img)
    }

    func newPage() { cairo_show_page(cr) }

    /// Ends the last page and writes the file.
    func finish() {
        cairo_show_page(cr)
        cairo_destroy(cr)
        cairo_surface_finish(surface)
        cairo_surface_destroy(surface)
    }
}
