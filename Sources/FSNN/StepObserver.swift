import Tensor

/// Sees every step of a simulation (spec §2.5, §2.6): the gradient methods that need the steps
/// (STBP's history, OTTT's per-step gradients) and the tools that trace them (the residual trace,
/// the membrane recording) implement it, each owning what it keeps. The simulation loop calls the
/// observers it is given and knows no method. Tensors handed to an observer are the simulation's:
/// valid until the next step.
public protocol StepObserver: AnyObject {
    /// `simulation` has its batch's input loaded (F₁'s pre-activation, x̄, the static current);
    /// no step has been taken.
    func simulationStarted(_ simulation: Simulation) throws
    /// Where layer l's population records its pre-spike membranes m_l[t] during step t (t = 1…T),
    /// or nil. At most one observer of a simulation records.
    func recording(layer l: Int, step t: Int) -> RecordingTarget?
    /// Layer l has taken step t: `population` holds s_l[t]; `current` is the input it integrated
    /// besides the feedback — I[t] for layer 1, m_l ⊙ BN_l(z_l[t]) for a loop layer — and
    /// `preactivation` its BN input z_l[t] (F_l s_{l−1}[t], or F₁ x[t] for spike frames), nil for
    /// layer 1 reading a static image.
    func layerStepped(_ l: Int, step t: Int, population: SpikingPopulation, current: Tensor, preactivation: Tensor?) throws
    /// Every layer has taken step t.
    func stepFinished(_ t: Int) throws
}

extension StepObserver {
    public func simulationStarted(_ simulation: Simulation) throws {}
    public func recording(layer l: Int, step t: Int) -> RecordingTarget? { nil }
    public func layerStepped(_ l: Int, step t: Int, population: SpikingPopulation, current: Tensor,
                             preactivation: Tensor?) throws {}
    public func stepFinished(_ t: Int) throws {}
}
