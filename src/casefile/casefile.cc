// Opening, creating and migrating a case; transactions; the audit log.
#include "casefile/casefile.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "casefile/schema.h"

namespace tq {
namespace fs = std::filesystem;

int CaseSchemaVersion() { return casefile_internal::LatestVersion(); }

namespace {

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0750) != 0 && errno != EEXIST) return Status::FromErrno(path, errno);
  return Status::Ok();
}

Status CheckWritable(const std::string& dir) {
  if (::access(dir.c_str(), W_OK) != 0)
    return Status::CaseError(dir + ": the case directory is read-only (" + std::strerror(errno) +
                             "); copy the case somewhere writable or use a read-only command");
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Case>> Case::Create(const std::string& dir, const CaseInfo& info) {
  if (info.name.empty()) return Status::Usage("a case needs a name (--name)");
  if (!info.timezone.empty()) {
    Result<TimeZone> z = TimeZone::Named(info.timezone);
    if (!z.ok()) return z.status();
  }
  std::error_code ec;
  if (fs::exists(dir + "/case.db", ec))
    return Status::CaseError(dir + ": already holds a case; open it with --case " + dir);
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    return Status::CaseError(dir + ": exists and is not a directory");
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec))
    return Status::CaseError(dir + ": is not empty; a new case needs a new or empty directory");
  fs::create_directories(dir, ec);
  if (ec) return Status::Io(dir + ": cannot create: " + ec.message());
  TQ_RETURN_IF_ERROR(CheckWritable(dir));
  TQ_RETURN_IF_ERROR(MakeDir(dir + "/evidence"));
  TQ_RETURN_IF_ERROR(MakeDir(dir + "/reports"));
  // Build the database under a temporary name, then rename: a killed init leaves no case.
  std::string tmp = dir + "/case.db.init";
  ::unlink(tmp.c_str());
  {
    TQ_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(tmp, /*create=*/true));
    TQ_RETURN_IF_ERROR(db->Begin());
    Status s = casefile_internal::MigrateTo(*db, casefile_internal::LatestVersion());
    if (s.ok()) {
      auto st = db->Prepare(
          "INSERT INTO case_info(id,name,store_url,platform,timezone,discovered_at,created_at) "
          "VALUES(1,?,?,?,?,?,?)");
      if (!st.ok()) {
        s = st.status();
      } else {
        st->Bind(1, info.name).Bind(2, info.store_url).Bind(3, info.platform);
        st->Bind(4, info.timezone.empty() ? std::string("UTC") : info.timezone);
        st->Bind(5, info.discovered_at);
        st->Bind(6, info.created_at ? info.created_at : NowMicros());
        s = st->Run();
      }
    }
    if (!s.ok()) {
      db->Rollback();
      return s;
    }
    TQ_RETURN_IF_ERROR(db->Commit());
    TQ_RETURN_IF_ERROR(db->Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
    TQ_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=DELETE"));
  }
  ::unlink((tmp + "-wal").c_str());
  ::unlink((tmp + "-shm").c_str());
  if (::rename(tmp.c_str(), (dir + "/case.db").c_str()) != 0)
    return Status::FromErrno(dir + "/case.db", errno);
  return Open(dir);
}

Result<std::unique_ptr<Case>> Case::Open(const std::string& dir, bool read_only) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Status::CaseError(dir + ": no such case directory; create one with `tourniquet init " +
                             dir + "` or point --case at an existing case");
  std::string db_path = dir + "/case.db";
  if (!fs::exists(db_path, ec))
    return Status::CaseError(dir +
                             ": not a tourniquet case (no case.db); create one with "
                             "`tourniquet init DIR` or point --case at an existing case");
  if (!read_only) TQ_RETURN_IF_ERROR(CheckWritable(dir));
  TQ_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(db_path, false, read_only));
  Result<int64_t> version = db->QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  int latest = casefile_internal::LatestVersion();
  if (*version > latest)
    return Status::CaseError(db_path + ": schema version " + std::to_string(*version) +
                             " is newer than this tourniquet knows (" + std::to_string(latest) +
                             "); use a newer tourniquet");
  if (*version == 0)
    return Status::CaseError(db_path + ": not a tourniquet case database (schema version 0)");
  if (*version < latest) {
    if (read_only)
      return Status::CaseError(db_path + ": schema version " + std::to_string(*version) +
                               " needs a migration; open the case writable once");
    TQ_RETURN_IF_ERROR(db->Begin());
    Status s = casefile_internal::MigrateTo(*db, latest);
    if (!s.ok()) {
      db->Rollback();
      return s;
    }
    TQ_RETURN_IF_ERROR(db->Commit());
  }
  return std::unique_ptr<Case>(new Case(dir, std::move(db)));
}

std::string Case::ObjectPath(std::string_view sha) const {
  std::string p = dir_ + "/evidence/objects/";
  p.append(sha.substr(0, 2));
  p += '/';
  p.append(sha);
  return p;
}

Result<CaseInfo> Case::Info() {
  TQ_ASSIGN_OR_RETURN(
      Stmt st, db_->Prepare("SELECT name,store_url,platform,timezone,discovered_at,created_at "
                            "FROM case_info WHERE id=1"));
  TQ_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::CaseError(DbPath() + ": case metadata is missing");
  CaseInfo info;
  info.name = st.String(0);
  info.store_url = st.String(1);
  info.platform = st.String(2);
  info.timezone = st.String(3);
  if (!st.IsNull(4)) info.discovered_at = st.Int(4);
  info.created_at = st.Int(5);
  return info;
}

Status Case::UpdateInfo(const CaseInfo& info) {
  TQ_ASSIGN_OR_RETURN(Stmt st,
                      db_->Prepare("UPDATE case_info SET name=?,store_url=?,platform=?,timezone=?,"
                                   "discovered_at=? WHERE id=1"));
  st.Bind(1, info.name).Bind(2, info.store_url).Bind(3, info.platform).Bind(4, info.timezone);
  st.Bind(5, info.discovered_at);
  return st.Run();
}

TimeZone Case::Zone() {
  Result<CaseInfo> info = Info();
  if (!info.ok()) return TimeZone::Utc();
  Result<TimeZone> z = TimeZone::Named(info->timezone);
  return z.ok() ? *z : TimeZone::Utc();
}

Status Case::Transaction(const std::function<Status(Db&)>& fn) {
  TQ_RETURN_IF_ERROR(db_->Begin());
  Status s = fn(*db_);
  if (!s.ok()) {
    db_->Rollback();
    return s;
  }
  s = db_->Commit();
  if (!s.ok()) db_->Rollback();
  return s;
}

Status Case::EnsureSchema(std::string_view component, std::span<const Migration> migrations) {
  if (migrations.empty()) return Status::Ok();
  TQ_ASSIGN_OR_RETURN(Stmt q, db_->Prepare("SELECT version FROM schema_component WHERE name=?"));
  q.Bind(1, component);
  TQ_ASSIGN_OR_RETURN(bool row, q.Step());
  int have = row ? static_cast<int>(q.Int(0)) : 0;
  if (have >= migrations.back().version) return Status::Ok();
  bool own_txn = !db_->InTransaction();
  if (own_txn) TQ_RETURN_IF_ERROR(db_->Begin());
  // Re-read inside the write lock: another process may have migrated meanwhile.
  Status s = q.Reset();
  q.Bind(1, component);
  Result<bool> again = q.Step();
  if (!again.ok()) s = again.status();
  have = (again.ok() && *again) ? static_cast<int>(q.Int(0)) : 0;
  q = Stmt();
  for (const Migration& m : migrations) {
    if (!s.ok()) break;
    if (m.version <= have) continue;
    s = db_->Exec(m.sql);
    if (!s.ok()) break;
    auto up = db_->Prepare(
        "INSERT INTO schema_component(name,version) VALUES(?,?) "
        "ON CONFLICT(name) DO UPDATE SET version=excluded.version");
    if (!up.ok()) {
      s = up.status();
      break;
    }
    up->Bind(1, component).Bind(2, m.version);
    s = up->Run();
  }
  if (own_txn) {
    if (!s.ok()) {
      db_->Rollback();
      return s;
    }
    return db_->Commit();
  }
  return s;
}

Status Case::Audit(std::string_view actor, std::string_view command, std::string_view outcome,
                   std::string_view detail) {
  TQ_ASSIGN_OR_RETURN(
      Stmt st,
      db_->Prepare("INSERT INTO audit_log(at,actor,command,outcome,detail) VALUES(?,?,?,?,?)"));
  st.Bind(1, NowMicros()).Bind(2, actor).Bind(3, command).Bind(4, outcome).Bind(5, detail);
  return st.Run();
}

}  // namespace tq
