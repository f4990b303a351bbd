/// Character entities that documents use without declaring them, because their DTD (XHTML, DocBook, JATS) declares
/// them and we never load a DTD. A reference to one of these becomes its character, without a warning.
enum XMLEntities {
    static let known: [String: String] = [
        "nbsp": "\u{00A0}", "ensp": "\u{2002}", "emsp": "\u{2003}", "thinsp": "\u{2009}", "shy": "\u{00AD}",
        "mdash": "—", "ndash": "–", "hellip": "…", "minus": "−", "bull": "•", "middot": "·", "prime": "′", "Prime": "″",
        "lsquo": "‘", "rsquo": "’", "sbquo": "‚", "ldquo": "“", "rdquo": "”", "bdquo": "„", "laquo": "«", "raquo": "»",
        "lsaquo": "‹", "rsaquo": "›", "copy": "©", "reg": "®", "trade": "™", "deg": "°", "plusmn": "±", "times": "×",
        "divide": "÷", "frac12": "½", "frac14": "¼", "frac34": "¾", "sect": "§", "para": "¶", "dagger": "†",
        "Dagger": "‡", "euro": "€", "pound": "£", "yen": "¥", "cent": "¢", "micro": "µ", "le": "≤", "ge": "≥",
        "ne": "≠", "asymp": "≈", "infin": "∞", "larr": "←", "rarr": "→", "uarr": "↑", "darr": "↓", "harr": "↔",
        "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "lambda": "λ", "mu": "μ", "pi": "π",
        "sigma": "σ", "tau": "τ", "phi": "φ", "omega": "ω", "Delta": "Δ", "Sigma": "Σ", "Omega": "Ω",
        "aacute": "á", "agrave": "à", "acirc": "â", "auml": "ä", "atilde": "ã", "aring": "å", "aelig": "æ",
        "ccedil": "ç", "eacute": "é", "egrave": "è", "ecirc": "ê", "euml": "ë", "iacute": "í", "igrave": "ì",
        "icirc": "î", "iuml": "ï", "ntilde": "ñ", "oacute": "ó", "ograve": "ò", "ocirc": "ô", "ouml": "ö",
        "otilde": "õ", "oslash": "ø", "uacute": "ú", "ugrave": "ù", "ucirc": "û", "uuml": "ü", "yacute": "ý",
        "szlig": "ß", "Aacute": "Á", "Auml": "Ä", "Eacute": "É", "Ouml": "Ö", "Uuml": "Ü", "Ccedil": "Ç",
        "Ntilde": "Ñ", "Oslash": "Ø", "Aring": "Å", "AElig": "Æ",
    ]
}
