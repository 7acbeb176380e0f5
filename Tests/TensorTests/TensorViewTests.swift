import Testing
import Tensor

/// Handle semantics of `Tensor`: construction, views that share storage, independent copies, the
/// multi-index subscript, and the typed errors of every shape check.
@Suite struct TensorViewTests {
    // MARK: Construction

    @Test func zerosHasShapeCountRankAndZeroElements() {
        let t = Tensor(zeros: [2, 3, 4])
        #expect(t.shape == [2, 3, 4])
        #expect(t.count == 24)
        #expect(t.rank == 3)
        #expect(t.scalars == [Float](repeating: 0, count: 24))
    }

    @Test func rankZeroTensorHoldsOneElement() throws {
        #expect(Tensor(zeros: []).count == 1)
        let scalar = try Tensor(shape: [], values: [2.5])
        #expect(scalar.rank == 0)
        #expect(scalar[] == 2.5)
    }

    @Test func emptyTensors() throws {
        #expect(Tensor(zeros: [3, 0]).count == 0)
        let empty = try Tensor(shape: [2, 0, 5], values: [])
        #expect(empty.count == 0)
        #expect(empty.scalars.isEmpty)
        #expect(try Tensor(shape: [0], values: []).scalars.isEmpty)
    }

    @Test func repeatingFillsEveryElement() {
        #expect(Tensor(repeating: -2.5, shape: [3, 5]).scalars == [Float](repeating: -2.5, count: 15))
        #expect(Tensor(repeating: 0, shape: [4]).scalars == [0, 0, 0, 0])
    }

    @Test func valuesAreStoredRowMajor() throws {
        let values = (0..<24).map(Float.init)
        let t = try Tensor(shape: [2, 3, 4], values: values)
        #expect(t.scalars == values)
        for i in 0..<2 {
            for j in 0..<3 {
                for k in 0..<4 { #expect(t[i, j, k] == values[(i * 3 + j) * 4 + k]) }
            }
        }
    }

    @Test func valueCountMustMatchShape() {
        let error = #expect(throws: TensorError.self) { try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5]) }
        #expect(error == .countMismatch(shape: [2, 3], count: 5))
        let text = error.map(String.init(describing:)) ?? ""
        #expect(text.contains("[2, 3]") && text.contains("6 elements") && text.contains("5 values"))
    }

    @Test func negativeExtentIsAnInvalidShape() {
        // [-2, -3] has the right product (6) and must still be rejected.
        for shape in [[2, -1], [-2, -3]] {
            let error = #expect(throws: TensorError.self) { try Tensor(shape: shape, values: [1, 2, 3, 4, 5, 6]) }
            guard case let .invalidShape(_, reported, _) = error else {
                Issue.record("expected invalidShape, got \(String(describing: error))")
                continue
            }
            #expect(reported == shape)
            #expect(String(describing: error!).contains(Tensor.describe(shape)))
        }
    }

    /// A shape read from a damaged file can overflow the element count; that is an error, not a trap.
    @Test func overflowingShapeIsAnInvalidShape() throws {
        let huge = [1 << 40, 1 << 40]
        let error = #expect(throws: TensorError.self) { try Tensor(shape: huge, values: [1]) }
        guard case .invalidShape(_, huge, _) = error else {
            Issue.record("expected invalidShape, got \(String(describing: error))")
            return
        }
        #expect(throws: TensorError.shapeMismatch(operation: "reshaped", lhs: [2], rhs: huge)) {
            try Tensor(zeros: [2]).reshaped(huge)
        }
    }

    @Test func describeAndDescription() throws {
        #expect(Tensor.describe([128, 64, 14, 14]) == "[128, 64, 14, 14]")
        #expect(Tensor.describe([]) == "[]")
        #expect(try Tensor(shape: [2], values: [1, -2]).description == "Tensor[2](1.0, -2.0)")
        #expect(Tensor(zeros: [3, 3]).description == "Tensor[3, 3](0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, …)")
    }

    // MARK: Handles, views and copies

    @Test func handleCopiesShareElements() {
        let a = Tensor(zeros: [4])
        let b = a
        b[2] = 7
        #expect(a[2] == 7)
        #expect(a.sharesStorage(with: b))
    }

    @Test func reshapedIsAViewInBothDirections() throws {
        let t = try Tensor(shape: [2, 3], values: [0, 1, 2, 3, 4, 5])
        let v = try t.reshaped([3, 2])
        #expect(v.shape == [3, 2])
        #expect(v.sharesStorage(with: t))
        #expect(v.pointer == t.pointer)
        #expect(v.scalars == t.scalars)
        v[2, 1] = 50
        #expect(t[1, 2] == 50)
        t[0, 1] = 10
        #expect(v[0, 1] == 10)
        #expect(try t.reshaped([6]).scalars == [0, 10, 2, 3, 4, 50])
        #expect(try Tensor(zeros: [1, 1]).reshaped([]).shape == [])
    }

    @Test func reshapeToAnotherCountNamesBothShapes() throws {
        let t = Tensor(zeros: [2, 3])
        for target in [[4, 2], [7], [-2, -3]] {
            let error = #expect(throws: TensorError.self) { try t.reshaped(target) }
            #expect(error == .shapeMismatch(operation: "reshaped", lhs: [2, 3], rhs: target))
            expectNames(error, [2, 3], target)
        }
    }

    @Test func batchIsAViewOfRows() throws {
        let t = try Tensor(shape: [4, 2, 3], values: (0..<24).map(Float.init))
        let rows = try t.batch(1..<3)
        #expect(rows.shape == [2, 2, 3])
        #expect(rows.sharesStorage(with: t))
        #expect(rows.pointer == t.pointer + 6)
        #expect(rows.scalars == (6..<18).map(Float.init))
        rows[1, 0, 2] = -1
        #expect(t[2, 0, 2] == -1)
        t[1, 1, 1] = -2
        #expect(rows[0, 1, 1] == -2)

        let inner = try rows.batch(1..<2)
        #expect(inner.pointer == t.pointer + 12)
        #expect(try inner.scalars == t.batch(2..<3).scalars)
        #expect(try t.batch(4..<4).shape == [0, 2, 3])
        #expect(try rows.reshaped([12]).scalars == rows.scalars)
    }

    @Test func batchOutOfRangeNamesShapeAndRows() throws {
        let t = Tensor(zeros: [4, 2])
        let error = #expect(throws: TensorError.self) { try t.batch(2..<5) }
        guard case .invalidShape(_, [4, 2], _) = error else {
            Issue.record("expected invalidShape of [4, 2], got \(String(describing: error))")
            return
        }
        let text = String(describing: error!)
        #expect(text.contains("[4, 2]") && text.contains("2..<5"))
        #expect(throws: TensorError.self) { try Tensor(zeros: []).batch(0..<1) }
        #expect(throws: TensorError.self) { try t.batch(1..<3).batch(0..<3) }
    }

    @Test func copyIsIndependent() throws {
        let t = try Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6])
        let c = t.copy()
        #expect(!c.sharesStorage(with: t))
        #expect(c.shape == t.shape && c.scalars == t.scalars)
        c[0, 0] = 100
        t[2, 1] = -100
        #expect(t[0, 0] == 1)
        #expect(c[2, 1] == 6)

        let rowCopy = try t.batch(1..<2).copy()
        #expect(rowCopy.shape == [1, 2] && rowCopy.scalars == [3, 4])
    }

    // MARK: Shape errors of the element-wise operations

    /// Every binary operation, called with operands of shapes [2, 3] (self) and [3, 2] (other).
    static let binaryOperations: [(name: String, call: @Sendable (Tensor, Tensor) throws(TensorError) -> Void)] = [
        ("assign", { a, b throws(TensorError) in try a.assign(b) }),
        ("add", { a, b throws(TensorError) in try a.add(b) }),
        ("axpy", { a, b throws(TensorError) in try a.add(b, scaledBy: 2) }),
        ("multiply", { a, b throws(TensorError) in try a.multiply(by: b) }),
        ("heaviside", { a, b throws(TensorError) in try a.assignHeaviside(of: b, threshold: 0) }),
        ("dot", { a, b throws(TensorError) in _ = try a.dot(b) }),
        ("checkSameShape", { a, b throws(TensorError) in try a.checkSameShape(as: b, "checkSameShape") }),
        ("checkShape", { a, b throws(TensorError) in try a.checkShape(b.shape, "checkShape") }),
    ]

    @Test(arguments: 0..<binaryOperations.count)
    func binaryOperationRejectsOtherShapeAndLeavesSelfUnchanged(_ index: Int) throws {
        let (name, call) = Self.binaryOperations[index]
        let target = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let other = Tensor(repeating: 9, shape: [3, 2])
        let error = #expect(throws: TensorError.self) { try call(target, other) }
        #expect(error == .shapeMismatch(operation: name, lhs: [2, 3], rhs: [3, 2]))
        expectNames(error, [2, 3], [3, 2])
        #expect(target.scalars == [1, 2, 3, 4, 5, 6])
    }

    @Test func rowOperationsRejectOtherRanks() {
        let t = Tensor(zeros: [2, 3, 4])
        for (name, call) in [("argmaxRows", { () throws(TensorError) in _ = try t.argmaxRows() }),
                             ("logSoftmaxRows", { () throws(TensorError) in _ = try t.logSoftmaxRows() })] {
            let error = #expect(throws: TensorError.self) { try call() }
            guard case .invalidShape(name, [2, 3, 4], _) = error else {
                Issue.record("expected invalidShape from \(name), got \(String(describing: error))")
                continue
            }
            #expect(String(describing: error!).contains("[2, 3, 4]"))
        }
    }

    /// Checks that the error's description names both shapes.
    private func expectNames(_ error: TensorError?, _ lhs: [Int], _ rhs: [Int],
                             sourceLocation: SourceLocation = #_sourceLocation) {
        let text = error.map(String.init(describing:)) ?? ""
        #expect(text.contains(Tensor.describe(lhs)), "\(text)", sourceLocation: sourceLocation)
        #expect(text.contains(Tensor.describe(rhs)), "\(text)", sourceLocation: sourceLocation)
    }
}
