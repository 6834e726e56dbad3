// Thin shim over Debian's Open MPI 4.1 C API: accessors for the handles and constants that are
// macros over library globals or pointer casts, which the Swift importer skips.
#ifndef BATCHLAB_CMPI_SHIM_H
#define BATCHLAB_CMPI_SHIM_H
#include <mpi.h>

// Predefined handles are macros over &ompi_mpi_* globals (OMPI_PREDEFINED_GLOBAL).
static inline MPI_Comm bl_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype bl_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype bl_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype bl_mpi_int(void) { return MPI_INT; }
static inline MPI_Datatype bl_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op bl_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op bl_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op bl_mpi_min(void) { return MPI_MIN; }
static inline MPI_Errhandler bl_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }

// MPI_IN_PLACE is the cast ((void *) 1).
static inline void *bl_mpi_in_place(void) { return MPI_IN_PLACE; }

// MPI_MAX_ERROR_STRING expands to another macro (OPAL_MAX_ERROR_STRING) from an internal header.
static inline int bl_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

#endif
