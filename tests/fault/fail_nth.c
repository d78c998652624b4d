/* Fault injection under a whole `tourniquet` process, for tests/e2e/fault_investigate.sh:
 * an LD_PRELOAD library that makes the Nth write (or sync) of any file under a directory
 * fail with EIO, and every one after it (a disk that went bad stays bad), the way
 * tests/fault/fault_vfs.cc does in-process for one component. A whole command (every stage
 * of `investigate`, as the binary runs them) is tested without a hook in the product.
 *
 *   TQ_FAULT_DIR     absolute directory whose files are faulted (the case folder)
 *   TQ_FAULT_OP      "write" (write, pwrite, writev, pwritev, ftruncate) or "sync"
 *                    (fsync, fdatasync)
 *   TQ_FAULT_NTH     the first failing operation, from 1; 0 or unset counts only
 *   TQ_FAULT_COUNT   how many fail from the Nth on (a disk full for a moment: the stage's
 *                    own rollback frees it); 0 or unset: every one after the Nth
 *   TQ_FAULT_REPORT  file that gets "<operations seen> <fired 0|1>" at exit
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static const char* fault_dir;
static size_t fault_dir_len;
static int fault_sync; /* 1: syncs are counted, 0: writes */
static unsigned long long fault_nth, fault_count;
static atomic_ullong seen;
static atomic_int fired;

static void report(void) {
  const char* path = getenv("TQ_FAULT_REPORT");
  if (!path || !fault_dir) return;
  FILE* f = fopen(path, "w");
  if (!f) return;
  fprintf(f, "%llu %d\n", (unsigned long long)atomic_load(&seen), atomic_load(&fired));
  fclose(f);
}

__attribute__((constructor)) static void init(void) {
  const char* dir = getenv("TQ_FAULT_DIR");
  const char* op = getenv("TQ_FAULT_OP");
  if (!dir || dir[0] != '/' || !op) return;
  fault_dir = dir;
  fault_dir_len = strlen(dir);
  while (fault_dir_len > 1 && dir[fault_dir_len - 1] == '/') --fault_dir_len;
  fault_sync = strcmp(op, "sync") == 0;
  const char* nth = getenv("TQ_FAULT_NTH");
  fault_nth = nth ? strtoull(nth, NULL, 10) : 0;
  const char* count = getenv("TQ_FAULT_COUNT");
  fault_count = count ? strtoull(count, NULL, 10) : 0;
  atexit(report);
}

/* Whether fd is a file under the faulted directory. */
static int watched(int fd) {
  if (!fault_dir) return 0;
  char link[64], target[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n <= 0) return 0;
  target[n] = 0;
  return (size_t)n > fault_dir_len && strncmp(target, fault_dir, fault_dir_len) == 0 &&
         target[fault_dir_len] == '/';
}

/* Counts the operation when it is of the faulted kind; 1 when it must fail. */
static int must_fail(int fd, int is_sync) {
  if (is_sync != fault_sync || !watched(fd)) return 0;
  unsigned long long n = atomic_fetch_add(&seen, 1) + 1;
  if (fault_nth == 0 || n < fault_nth) return 0;
  if (fault_count != 0 && n - fault_nth >= fault_count) return 0;
  atomic_store(&fired, 1);
  /* The exit handler may never run (the command may abort): report now as well. */
  report();
  return 1;
}

#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))

ssize_t write(int fd, const void* buf, size_t count) {
  if (must_fail(fd, 0)) return errno = EIO, -1;
  return REAL("write", ssize_t(*)(int, const void*, size_t))(fd, buf, count);
}
ssize_t pwrite(int fd, const void* buf, size_t count, off_t off) {
  if (must_fail(fd, 0)) return errno = EIO, -1;
  return REAL("pwrite", ssize_t(*)(int, const void*, size_t, off_t))(fd, buf, count, off);
}
ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t off) {
  if (must_fail(fd, 0)) return errno = EIO, -1;
  return REAL("pwrite64", ssize_t(*)(int, const void*, size_t, off64_t))(fd, buf, count, off);
}
ssize_t writev(int fd, const struct iovec* iov, int n) {
  if (must_fail(fd, 0)) return errno = EIO, -1;
  return REAL("writev", ssize_t(*)(int, const struct iovec*, int))(fd, iov, n);
}
ssize_t pwritev(int fd, const struct iovec* iov, int n, off_t off) {
  if (must_fail(fd, 0)) return errno = EIO, -1;
  return REAL("pwritev", ssize_t(*)(int, const struct iovec*, int, off_t))(fd, iov, n, off);
}
int ftruncate(int fd, off_t len) {
  if (must_fail(fd, 0)) return errno = EIO, -1;
  return REAL("ftruncate", int (*)(int, off_t))(fd, len);
}
int ftruncate64(int fd, off64_t len) {
  if (must_fail(fd, 0)) return errno = EIO, -1;
  return REAL("ftruncate64", int (*)(int, off64_t))(fd, len);
}
int fsync(int fd) {
  if (must_fail(fd, 1)) return errno = EIO, -1;
  return REAL("fsync", int (*)(int))(fd);
}
int fdatasync(int fd) {
  if (must_fail(fd, 1)) return errno = EIO, -1;
  return REAL("fdatasync", int (*)(int))(fd);
}
