import FORLLMStore
import NewsArticle

extension FORLLMApplication {
    /// The one line the command line prints for an error (after `forllm: `): the message of the
    /// errors people cause (a bad name, a missing group, a bad article, a bad configuration),
    /// the description of anything else.
    public static func message(for error: any Error) -> String {
        switch error {
        case let error as StoreError: error.message
        case let error as ArticleError: error.message
        case let error as ConfigurationError: error.description
        default: "\(error)"
        }
    }
}
