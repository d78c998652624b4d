// The fault-injecting VFS and Env (see fault_vfs.h): a shim sqlite3_file around the OS VFS's
// file, counting xWrite and xSync calls, and an io::Env counting the evidence store's writes
// and syncs.
#include "fault/fault_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "core/io.h"

namespace tq::testing {
namespace {

std::atomic<bool> armed{false};
std::atomic<bool> fired{false};
std::atomic<FaultKind> kind{FaultKind::kWrite};
std::atomic<uint64_t> nth{0};
std::atomic<uint64_t> seen{0};

sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs fault_vfs;

struct FaultFile {
  sqlite3_file base;   // must come first: SQLite sees this
  sqlite3_file* real;  // the OS VFS's file, allocated behind this struct
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->real; }

// True when this operation must fail.
bool Fails(FaultKind k) {
  if (!armed.load() || kind.load() != k) return false;
  uint64_t n = ++seen;
  if (n < nth.load()) return false;
  fired = true;
  return true;
}

int Close(sqlite3_file* f) {
  int rc = Real(f)->pMethods ? Real(f)->pMethods->xClose(Real(f)) : SQLITE_OK;
  return rc;
}
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (Fails(FaultKind::kWrite)) return SQLITE_IOERR_WRITE;
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  if (Fails(FaultKind::kSync)) return SQLITE_IOERR_FSYNC;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); }
int Unlock(sqlite3_file* f, int l) { return Real(f)->pMethods->xUnlock(Real(f), l); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int pg, int sz, int extend, void volatile** p) {
  return Real(f)->pMethods->xShmMap(Real(f), pg, sz, extend, p);
}
int ShmLock(sqlite3_file* f, int off, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), off, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); }

// Version 2 methods: WAL needs the shared-memory calls; no mmap (every write goes through
// xWrite, where the fault is).
const sqlite3_io_methods kMethods = {2,
                                     Close,
                                     Read,
                                     Write,
                                     Truncate,
                                     Sync,
                                     FileSize,
                                     Lock,
                                     Unlock,
                                     CheckReservedLock,
                                     FileControl,
                                     SectorSize,
                                     DeviceCharacteristics,
                                     ShmMap,
                                     ShmLock,
                                     ShmBarrier,
                                     ShmUnmap,
                                     nullptr,
                                     nullptr};

int Open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  auto* ff = reinterpret_cast<FaultFile*>(f);
  ff->real = reinterpret_cast<sqlite3_file*>(ff + 1);
  std::memset(ff->real, 0, static_cast<size_t>(real_vfs->szOsFile));
  int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
  // SQLite calls xClose only when pMethods is set: leave it null when the open failed.
  ff->base.pMethods = rc == SQLITE_OK ? &kMethods : nullptr;
  return rc;
}
int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return real_vfs->xDelete(real_vfs, name, sync_dir);
}
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return real_vfs->xAccess(real_vfs, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return real_vfs->xFullPathname(real_vfs, name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return real_vfs->xDlOpen(real_vfs, name); }
void DlError(sqlite3_vfs*, int n, char* out) { real_vfs->xDlError(real_vfs, n, out); }
void (*DlSym(sqlite3_vfs*, void* h, const char* sym))(void) {
  return real_vfs->xDlSym(real_vfs, h, sym);
}
void DlClose(sqlite3_vfs*, void* h) { real_vfs->xDlClose(real_vfs, h); }
int Randomness(sqlite3_vfs*, int n, char* out) { return real_vfs->xRandomness(real_vfs, n, out); }
int Sleep(sqlite3_vfs*, int us) { return real_vfs->xSleep(real_vfs, us); }
int CurrentTime(sqlite3_vfs*, double* t) { return real_vfs->xCurrentTime(real_vfs, t); }
int GetLastError(sqlite3_vfs*, int n, char* out) {
  return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0;
}
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* t) {
  return real_vfs->xCurrentTimeInt64(real_vfs, t);
}

// The evidence store's side: an injected fault is EIO, as a failing disk reports it.
class FaultEnv : public io::Env {
 public:
  int WriteAll(int fd, std::string_view bytes) override {
    return Fails(FaultKind::kFileWrite) ? EIO : io::Env::WriteAll(fd, bytes);
  }
  int Ftruncate(int fd, off_t size) override {
    return Fails(FaultKind::kFileWrite) ? EIO : io::Env::Ftruncate(fd, size);
  }
  int Rename(const std::string& from, const std::string& to) override {
    return Fails(FaultKind::kFileWrite) ? EIO : io::Env::Rename(from, to);
  }
  int Fsync(int fd) override { return Fails(FaultKind::kFileSync) ? EIO : io::Env::Fsync(fd); }
  int Fdatasync(int fd) override {
    return Fails(FaultKind::kFileSync) ? EIO : io::Env::Fdatasync(fd);
  }
  int Syncfs(int fd) override { return Fails(FaultKind::kFileSync) ? EIO : io::Env::Syncfs(fd); }
};

}  // namespace

const char* FaultKindName(FaultKind k) {
  switch (k) {
    case FaultKind::kWrite: return "case-file write";
    case FaultKind::kSync: return "case-file sync";
    case FaultKind::kFileWrite: return "evidence write";
    case FaultKind::kFileSync: return "evidence sync";
  }
  return "?";
}

void InstallFaultVfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    real_vfs = sqlite3_vfs_find(nullptr);
    fault_vfs = sqlite3_vfs{};
    fault_vfs.iVersion = 2;
    fault_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + real_vfs->szOsFile;
    fault_vfs.mxPathname = real_vfs->mxPathname;
    fault_vfs.zName = "tq-fault";
    fault_vfs.xOpen = Open;
    fault_vfs.xDelete = Delete;
    fault_vfs.xAccess = Access;
    fault_vfs.xFullPathname = FullPathname;
    fault_vfs.xDlOpen = DlOpen;
    fault_vfs.xDlError = DlError;
    fault_vfs.xDlSym = DlSym;
    fault_vfs.xDlClose = DlClose;
    fault_vfs.xRandomness = Randomness;
    fault_vfs.xSleep = Sleep;
    fault_vfs.xCurrentTime = CurrentTime;
    fault_vfs.xGetLastError = GetLastError;
    fault_vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    sqlite3_vfs_register(&fault_vfs, 1);
    static FaultEnv env;
    io::SetDefaultForTesting(&env);
  });
}

void ArmFault(FaultKind k, uint64_t n) {
  kind = k;
  nth = n;
  seen = 0;
  fired = false;
  armed = true;
}
void DisarmFault() { armed = false; }
bool FaultFired() { return fired.load(); }
uint64_t OperationsSeen() { return seen.load(); }

}  // namespace tq::testing
