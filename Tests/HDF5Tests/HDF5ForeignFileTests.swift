import CHDF5
import HDF5
import TestSupport
import Testing

/// Files written by other tools: plain C API calls with default properties (no creation-order
/// tracking, as h5py writes by default) and fixed-length strings.
@Suite struct HDF5ForeignFileTests {
    @Test func untrackedGroupsListByNameAndFixedLengthStringsRead() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("foreign.h5")
        let p = fsnn_h5p_default()
        let file = H5Fcreate(path, fsnn_h5f_acc_trunc(), p, p)
        #expect(file >= 0)
        let group = H5Gcreate2(file, "/g", p, p, p)
        for name in ["zeta", "alpha", "mid"] {
            let space = H5Screate(H5S_SCALAR)
            let dataset = H5Dcreate2(group, name, fsnn_h5t_native_double(), space, p, p, p)
            var value = 1.5
            #expect(H5Dwrite(dataset, fsnn_h5t_native_double(), hid_t(H5S_ALL), hid_t(H5S_ALL), p, &value) >= 0)
            H5Dclose(dataset)
            H5Sclose(space)
        }
        // A fixed-length, NUL-padded string attribute of 8 bytes and a 2-element one.
        let type = H5Tcopy(fsnn_h5t_c_s1())
        H5Tset_size(type, 8)
        H5Tset_strpad(type, H5T_STR_NULLPAD)
        let scalar = H5Screate(H5S_SCALAR)
        let attribute = H5Acreate2(group, "unit", type, scalar, p, p)
        var text: [CChar] = Array("percent".utf8CString) + [0]
        #expect(H5Awrite(attribute, type, &text) >= 0)
        H5Aclose(attribute)
        var dims: [hsize_t] = [2]
        let pair = H5Screate_simple(1, &dims, nil)
        let list = H5Acreate2(group, "names", type, pair, p, p)
        var bytes: [CChar] = Array("L1".utf8CString) + Array(repeating: 0, count: 5)
            + Array("hidden".utf8CString) + [0]
        #expect(H5Awrite(list, type, &bytes) >= 0)
        H5Aclose(list)
        H5Sclose(pair)
        H5Sclose(scalar)
        H5Tclose(type)
        H5Gclose(group)
        H5Fclose(file)

        let reader = try HDF5File.open(path)
        #expect(try reader.members(of: "/g") == ["alpha", "mid", "zeta"])
        #expect(try reader.attribute("unit", of: "/g", as: String.self) == "percent")
        #expect(try reader.attribute("names", of: "/g", as: [String].self) == ["L1", "hidden"])
        let names = try reader.attributeNames(of: "/g")
        #expect(names == ["names", "unit"], "\(names)")
        #expect(try reader.readScalar("/g/mid", as: Double.self) == 1.5)
    }

    /// A dataset whose extents claim far more than the file holds (no data ever written, as an
    /// edited or hostile file can) is refused before anything is allocated for it.
    @Test func extentsBeyondTheStoredDataAreRefusedBeforeAllocating() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("claims.h5")
        let p = fsnn_h5p_default()
        let file = H5Fcreate(path, fsnn_h5f_acc_trunc(), p, p)
        var dims: [hsize_t] = [1 << 20, 1 << 20], chunk: [hsize_t] = [1, 1024]
        let space = H5Screate_simple(2, &dims, nil)
        let properties = H5Pcreate(fsnn_h5p_dataset_create())
        #expect(H5Pset_chunk(properties, 2, &chunk) >= 0)
        let dataset = H5Dcreate2(file, "/huge", fsnn_h5t_native_float(), space, p, properties, p)
        #expect(dataset >= 0)
        H5Dclose(dataset)
        H5Pclose(properties)
        H5Sclose(space)
        H5Fclose(file)

        let reader = try HDF5File.open(path)
        #expect(try reader.shape(of: "/huge") == [1 << 20, 1 << 20])
        #expect(throws: HDF5Error.invalidArgument(
            file: path, object: "/huge",
            reason: "shape [1048576, 1048576] cannot be read: 1099511627776 elements of 4 bytes, but the file stores 0 bytes for it")) {
            try reader.read("/huge", as: Float.self)
        }
    }
}
