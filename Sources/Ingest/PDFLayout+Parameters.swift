extension PDFLayout {
    /// Every threshold of the layout pass, named (pdfminer's `LAParams` is the model). Lengths are PDF points
    /// (1/72 inch); "× height" is relative to a line's height, "× body" to the body text's font size, "× width" to
    /// the width the page's text spans. Changing a default changes what `precis extract` gives. Text patterns
    /// (what a page number or section numbering looks like) stay with the functions that match them.
    struct Parameters: Sendable, Equatable {
        // MARK: Rows

        /// Two lines share a row (one baseline) when their baselines differ by less than this × height (the
        /// smaller line's, or at least 1 pt).
        var sameRow = 0.5
        /// Two font sizes are the same size when they differ by less than this (pt).
        var sameSize = 0.6
        /// Font sizes are compared rounded to this step (pt): body size, line pitch, heading ranks.
        var sizeStep = 0.5

        // MARK: Running headers, footers and page numbers

        /// The page height assumed when poppler reports none (A4, pt).
        var defaultPageHeight = 842.0
        /// Rows (lines on one baseline) at the top and at the bottom of a page that may be furniture.
        var furnitureRows = 2
        /// A header row ends above this fraction of the page height (measured from the top).
        var headerBand = 0.14
        /// A footer row starts below this fraction of the page height.
        var footerBand = 0.86
        /// Furniture stands apart: its nearest line above or below (overlapping it horizontally) is further than
        /// this × its height.
        var furnitureGap = 0.8
        /// The height `furnitureGap` multiplies is taken as at least this (pt).
        var furnitureMinHeight = 2.0
        /// A line overlapping a furniture candidate vertically by more than this × its height is beside it, not
        /// above or below it.
        var furnitureOverlap = 0.5
        /// A line recurring in the bands (same text with digits folded, same size) is furniture when it recurs on
        /// this many pages…
        var repeatPages = 3
        /// … or on fewer in a short document: on ⌈pages × `repeatFraction`⌉ pages, but at least this many.
        var repeatMinPages = 2
        /// The share of a short document's pages a running line recurs on (0.4: two pages in documents of up to
        /// five pages, three from six on).
        var repeatFraction = 0.4
        /// Header slots (position and size of furniture found) remembered to drop the same slot on other pages.
        var maxFurnitureSlots = 64
        /// A line sits in a header slot when its top is within this (pt) of the slot's and its size is the same.
        var slotPosition = 1.5

        // MARK: Columns

        /// Columns are looked for on pages with at least this many lines of some width.
        var columnMinLines = 6
        /// A line narrower than this × width may belong to a column (wider ones span the columns).
        var narrowLine = 0.55
        /// A gutter between columns is at least this wide (pt).
        var gutterWidth = 6.0
        /// A column has at least this many narrow lines on each side of its gutter.
        var columnMinLinesPerSide = 2
        /// The narrow lines on each side of a gutter have a median width of at least this × width (a column of
        /// numbers, such as a table of contents' page numbers, is not a text column).
        var columnMinWidth = 0.2
        /// A line ending this far (pt) into a gutter still belongs to the column on its left.
        var gutterTolerance = 0.5

        // MARK: Body text and line pitch

        /// The body size when a document has no sized text (pt).
        var defaultBodySize = 10.0
        /// The line pitch (the most common distance between consecutive body lines of a column) is counted over
        /// distances of more than this × body…
        var minPitch = 0.8
        /// … and less than this × body.
        var maxPitch = 3.0
        /// The line pitch when no two lines give one, × body.
        var defaultPitch = 1.2

        // MARK: Paragraphs

        /// Pieces of one row join when the next starts no more than this (pt) left of where the previous ends.
        var rowPieceOverlap = 1.0
        /// A new paragraph starts where the size changes by more than this (pt)…
        var sizeChange = 0.5
        /// … or by more than this × the previous line's size, whichever is larger.
        var sizeChangeFraction = 0.08
        /// A new paragraph starts after a gap between baselines of more than this × the line pitch (the body's,
        /// scaled to larger type)…
        var paragraphGap = 1.35
        /// … and of more than the line pitch plus this × the line's size.
        var paragraphGapExtra = 0.3
        /// A new paragraph starts at an indent of more than this × the line's size (taken as at least 1 pt).
        var indent = 0.9

        // MARK: Headings, title and abstract

        /// Large text (the title, or a heading by its size) is at least this × body.
        var largeSize = 1.15
        /// Large text takes at most this many lines.
        var largeMaxLines = 3
        /// Large text has at most this many characters.
        var largeMaxCharacters = 200
        /// Large text has at most this many words.
        var largeMaxWords = 20
        /// A bold heading (bold, not ending with a period) takes at most this many lines.
        var boldMaxLines = 2
        /// A bold heading has at most this many characters.
        var boldMaxCharacters = 120
        /// Bold and numbered headings are at least this × body.
        var headingMinSize = 0.95
        /// A numbered heading ("3.2 Results", one line, not ending a sentence) has at most this many characters.
        var numberedMaxCharacters = 90
        /// A numbered heading has at most this many words.
        var numberedMaxWords = 12
        /// A heading has at least this many letters.
        var headingMinLetters = 2
        /// The abstract is looked for up to this page.
        var abstractMaxPage = 2
        /// An abstract run into its paragraph ("Abstract. We study…") comes before this many body paragraphs.
        var abstractMaxParagraphsBefore = 8
        /// An abstract run into its paragraph is longer than this many characters.
        var abstractMinCharacters = 40
    }
}
