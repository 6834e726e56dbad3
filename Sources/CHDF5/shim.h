// Thin shim over Debian's serial HDF5 1.10: the C API plus accessors for macros Swift cannot import.
#ifndef BATCHLAB_CHDF5_SHIM_H
#define BATCHLAB_CHDF5_SHIM_H
#include <hdf5.h>

// Type ids are macros over library globals that need H5open() first (H5T_NATIVE_* expand to H5OPEN ...).
static inline hid_t bl_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t bl_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t bl_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t bl_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t bl_native_uint8(void) { return H5T_NATIVE_UINT8; }

// File (on-disk) types: fixed little-endian so a file's bytes do not depend on the writer's CPU.
static inline hid_t bl_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t bl_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t bl_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t bl_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t bl_std_u8le(void) { return H5T_STD_U8LE; }
static inline hid_t bl_c_s1(void) { return H5T_C_S1; }
static inline size_t bl_t_variable(void) { return H5T_VARIABLE; }  // a cast of -1 to size_t

// Property-list class ids are macros over library globals too.
static inline hid_t bl_p_file_create(void) { return H5P_FILE_CREATE; }
static inline hid_t bl_p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t bl_p_group_create(void) { return H5P_GROUP_CREATE; }
static inline hid_t bl_p_dataset_create(void) { return H5P_DATASET_CREATE; }

// File access flags are casts wrapped in H5CHECK/H5OPEN, which the importer skips.
static inline unsigned bl_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned bl_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned bl_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned bl_acc_excl(void) { return H5F_ACC_EXCL; }

// Dataspace constants are casts, which the importer skips.
static inline hsize_t bl_s_unlimited(void) { return H5S_UNLIMITED; }
static inline hid_t bl_s_all(void) { return H5S_ALL; }

#endif
