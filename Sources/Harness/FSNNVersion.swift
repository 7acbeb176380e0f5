/// This build of fsnn, as result files record it.
public enum FSNNVersion {
    public static let current = "0.1.0"
}
