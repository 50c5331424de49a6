/* SPDX-License-Identifier: GPL-3.0-or-later */
/* version.h - the library version and the git revision it was built from. */
#ifndef LREKMC_VERSION_H
#define LREKMC_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

const char *lrk_version(void);       /* "MAJOR.MINOR.PATCH" */
const char *lrk_git_revision(void);  /* short hash, or "unknown" */

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_VERSION_H */
