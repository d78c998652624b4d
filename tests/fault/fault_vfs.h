// A SQLite VFS for tests that fails the Nth write or the Nth sync, the way SQLite's own test
// VFS (src/test6.c) does: registered as the default, so the case file opened by the code under
// test goes through it without that code knowing. Everything else passes to the OS VFS.
#pragma once

#include <cstdint>

namespace tq::testing {

enum class FaultKind { kWrite, kSync };

// Installs the VFS as SQLite's default (once per process). Faults are off until Arm.
void InstallFaultVfs();
// From now on, the nth write (or sync) from 1 fails with an I/O error, and every one after it
// too (a disk that went bad stays bad) until Disarm.
void ArmFault(FaultKind kind, uint64_t nth);
void DisarmFault();
// Whether the armed fault fired since ArmFault; how many writes / syncs were seen since.
bool FaultFired();
uint64_t OperationsSeen();

}  // namespace tq::testing
