import Tensor

/// The elements of `t` widened to Float64, in element order, for comparison with a reference.
public func doubles(_ t: Tensor) -> [Double] { t.scalars.map(Double.init) }

/// `values` widened to Float64.
public func doubles(_ values: [Float]) -> [Double] { values.map(Double.init) }
