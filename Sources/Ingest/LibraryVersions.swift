internal import CLibXML2
internal import CPoppler

/// Versions of the C libraries ingestion runs on, for `precis doctor`.
public enum LibraryVersions {
    /// poppler-glib's runtime version (`poppler_get_version`).
    public static var poppler: String { String(cString: poppler_get_version()) }
    /// libxml2's runtime version (`xmlParserVersion` through the shim, e.g. "20914"), shown dotted.
    public static var libxml2: String {
        let raw = String(cString: precis_xml_parser_version())
        guard let n = Int(raw) else { return raw }
        return "\(n / 10000).\(n / 100 % 100).\(n % 100)"
    }
}
