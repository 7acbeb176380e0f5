/// A Slurm time limit (`sbatch --time`), in whole seconds. Slurm's forms are accepted: `M`,
/// `M:S`, `H:M:S`, `D-H`, `D-H:M` and `D-H:M:S`.
public struct SlurmTimeLimit: Equatable, Sendable, CustomStringConvertible {
    public let seconds: Int

    public init(seconds: Int) {
        self.seconds = seconds
    }

    /// Reads one of Slurm's forms; minutes, seconds and hours after the first field must be
    /// below 60, 60 and 24, and the limit must be positive.
    public init(_ text: String) throws(SlurmOptionError) {
        let invalid = SlurmOptionError.invalidTimeLimit(text)
        let dayParts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(dayParts.count) else { throw invalid }
        let clock = dayParts[dayParts.count - 1].split(separator: ":", omittingEmptySubsequences: false)
        func number(_ part: Substring) throws(SlurmOptionError) -> Int {
            guard !part.isEmpty, part.count <= 6, part.allSatisfy(\.isASCII), let value = Int(part), value >= 0 else {
                throw invalid
            }
            return value
        }
        var fields: [Int] = []
        for part in clock { fields.append(try number(part)) }
        let total: Int
        if dayParts.count == 2 {
            // D-H, D-H:M, D-H:M:S
            let days = try number(dayParts[0])
            guard (1...3).contains(fields.count), fields[0] < 24, fields.dropFirst().allSatisfy({ $0 < 60 }) else { throw invalid }
            let hours = fields[0], minutes = fields.count > 1 ? fields[1] : 0, seconds = fields.count > 2 ? fields[2] : 0
            total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
        } else {
            switch fields.count {
            case 1: total = fields[0] * 60
            case 2 where fields[1] < 60: total = fields[0] * 60 + fields[1]
            case 3 where fields[1] < 60 && fields[2] < 60: total = (fields[0] * 60 + fields[1]) * 60 + fields[2]
            default: throw invalid
            }
        }
        guard total > 0 else { throw invalid }
        seconds = total
    }

    /// `D-HH:MM:SS`, or `HH:MM:SS` under a day: the form written into sbatch scripts.
    public var description: String {
        let days = seconds / 86_400, rest = seconds % 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let clock = "\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))"
        return days > 0 ? "\(days)-\(clock)" : clock
    }
}
