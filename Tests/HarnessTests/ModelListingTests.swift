import FSNN
import Harness
import Testing

/// `fsnn models` lists every zoo model without data, with the counts of spec §12.1.
@Suite struct ModelListingTests {
    @Test func everyModelIsListedWithItsCounts() throws {
        let text = try ModelListing.describeAll()
        for model in ModelName.allCases { #expect(text.contains("## \(model.rawValue)\n"), "\(model)") }
        // spec §12.1: F400 478,811 parameters; 400 spiking + 784 input neurons.
        #expect(text.contains("input 1×28×28 image; 478811 parameters; 1184 neurons (400 spiking + 784 input"), "\(text)")
        #expect(text.contains("| feedback.weight_raw | 400×400 | 160000 |"))
        #expect(text.contains("| input.bn.num_batches_tracked (buffer) | scalar | 1 |"))
        // spec §5.3: the corrected N-MNIST network, 290,763 parameters.
        #expect(try ModelListing.describe(.nmnist64C5sF64C5P2).contains("290763 parameters"))
        #expect(try ModelListing.describe(.alexnetF).contains("| L5 (layers.5) | 256×8×8 | 16384 |"))
    }
}
