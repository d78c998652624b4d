// Fault injection for tests, under both halves of a case: a SQLite VFS that fails the Nth
// write or sync of the case file, the way SQLite's own test VFS (src/test6.c) does
// (registered as the default, so the code under test goes through it without knowing), and
// an io::Env (core/io.h) that fails the Nth write or sync of the evidence store and its
// manifest. Everything else passes to the OS.
#pragma once

#include <cstdint>

namespace tq::testing {

enum class FaultKind {
  kWrite,      // SQLite xWrite on the case file
  kSync,       // SQLite xSync on the case file
  kFileWrite,  // evidence store: write, truncate, rename (io::Env)
  kFileSync,   // evidence store: fsync, fdatasync, syncfs (io::Env)
};
const char* FaultKindName(FaultKind kind);

// Installs the VFS as SQLite's default and the Env as io's (once per process). Faults are
// off until Arm.
void InstallFaultVfs();
// From now on, the nth write (or sync) from 1 fails with an I/O error, and every one after it
// too (a disk that went bad stays bad) until Disarm.
void ArmFault(FaultKind kind, uint64_t nth);
void DisarmFault();
// Whether the armed fault fired since ArmFault; how many writes / syncs were seen since.
bool FaultFired();
uint64_t OperationsSeen();

}  // namespace tq::testing
