import Common

/// The words that carry content, as the ranking and the support checks compare them.
public enum ContentWords {
    /// English function words (the union of the usual IR lists, short): they make every pair of sentences look alike.
    static let stopwords: Set<String> = [
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at",
        "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did",
        "do", "does", "doing", "done", "down", "during", "each", "either", "et", "al", "etc", "few", "for", "from",
        "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his",
        "how", "however", "i", "ie", "eg", "if", "in", "into", "is", "it", "its", "itself", "just", "may", "me",
        "might", "more", "most", "much", "must", "my", "myself", "no", "nor", "not", "now", "of", "off", "on",
        "once", "one", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "shall",
        "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves",
        "then", "there", "these", "they", "this", "those", "through", "thus", "to", "too", "under", "until", "up",
        "upon", "us", "use", "used", "using", "very", "via", "was", "we", "were", "what", "when", "where",
        "whether", "which", "while", "who", "whom", "whose", "why", "will", "with", "within", "without", "would",
        "yet", "you", "your", "yours", "yourself", "yourselves", "let", "many", "every", "well", "often", "since",
    ]

    /// Porter stems of the content words of `text`: rouge-score's tokens without function words, numbers and
    /// single letters, stemmed as `Words.stems` stems (tokens longer than three characters).
    public static func stems(_ text: String) -> [String] {
        Words.tokens(text).compactMap { token in
            guard token.utf8.count > 1, !stopwords.contains(token), !token.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 })
            else { return nil }
            return token.utf8.count > 3 ? PorterStemmer.stem(token) : token
        }
    }
}
