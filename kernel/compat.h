/* SPDX-License-Identifier: GPL-2.0 */
/* Every kernel version check of xt_pktstat lives here. */
#ifndef _PKTSTAT_COMPAT_H
#define _PKTSTAT_COMPAT_H

#include <linux/version.h>
#include <linux/proc_fs.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 17, 0)
#define pde_data(inode) PDE_DATA(inode)
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 6, 0)
#error "xt_pktstat needs Linux 5.6 or newer (struct proc_ops)"
#endif

#endif /* _PKTSTAT_COMPAT_H */
