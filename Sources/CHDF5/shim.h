#pragma once
/* Debian's serial HDF5: the header lives under the serial include folder and the library is
   hdf5_serial, so no pkg-config is needed. */
#include <hdf5/serial/hdf5.h>

/* Expression macros are not imported into Swift (and the H5T_*_g globals are rejected in Swift 6
   mode), so the ones fsnn uses are wrapped here. Each call runs H5open() as the C macros do. */
static inline hid_t    fsnn_h5t_native_float(void)  { return H5T_NATIVE_FLOAT; }
static inline hid_t    fsnn_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t    fsnn_h5t_native_int64(void)  { return H5T_NATIVE_INT64; }
static inline hid_t    fsnn_h5t_native_uint64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t    fsnn_h5t_native_uint8(void)  { return H5T_NATIVE_UINT8; }
static inline hid_t    fsnn_h5t_c_s1(void)          { return H5T_C_S1; }
static inline unsigned fsnn_h5f_acc_trunc(void)     { return H5F_ACC_TRUNC; }
static inline unsigned fsnn_h5f_acc_excl(void)      { return H5F_ACC_EXCL; }
static inline unsigned fsnn_h5f_acc_rdonly(void)    { return H5F_ACC_RDONLY; }
static inline unsigned fsnn_h5f_acc_rdwr(void)      { return H5F_ACC_RDWR; }
static inline hid_t    fsnn_h5p_default(void)       { return H5P_DEFAULT; }
static inline size_t   fsnn_h5t_variable(void)      { return H5T_VARIABLE; }
static inline hid_t    fsnn_h5p_link_create(void)   { return H5P_LINK_CREATE; }

/* Little-endian file types: result and checkpoint files store these whatever the host order. */
static inline hid_t    fsnn_h5t_ieee_f32le(void)    { return H5T_IEEE_F32LE; }
static inline hid_t    fsnn_h5t_ieee_f64le(void)    { return H5T_IEEE_F64LE; }
static inline hid_t    fsnn_h5t_std_i64le(void)     { return H5T_STD_I64LE; }
static inline hid_t    fsnn_h5t_std_u64le(void)     { return H5T_STD_U64LE; }
/* Property-list classes for creation order tracking and compression. */
static inline hid_t    fsnn_h5p_file_create(void)    { return H5P_FILE_CREATE; }
static inline hid_t    fsnn_h5p_group_create(void)   { return H5P_GROUP_CREATE; }
static inline hid_t    fsnn_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t    fsnn_h5p_file_access(void)    { return H5P_FILE_ACCESS; }
