/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * parallel_env.h (private) - whether an MPI launcher started this process,
 * read from the variables launchers set for their ranks.
 */
#ifndef LREKMC_PARALLEL_ENV_H
#define LREKMC_PARALLEL_ENV_H

/* 0 when no launcher variable is set (a plain process); otherwise the rank
 * count the launcher announces, at least 1.  Read: OMPI_COMM_WORLD_SIZE
 * (Open MPI), PMI_SIZE (MPICH, Intel MPI, srun --mpi=pmi2),
 * MV2_COMM_WORLD_SIZE (MVAPICH2), and the rank variables PMIX_RANK (srun
 * --mpi=pmix, PRRTE), PMI_RANK, OMPI_COMM_WORLD_RANK.  LREKMC_MPI_INIT=1
 * counts as a launcher of 1 rank, LREKMC_MPI_INIT=0 as none. */
long parallel_launcher_size(void);

#endif /* LREKMC_PARALLEL_ENV_H */
