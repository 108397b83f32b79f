// Durable writes: temp file + fsync + rename + fsync(dir). See durable_file.h.
#include "util/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "util/fault.h"

namespace replydesk::util {
namespace {

Error IoError(const std::string& what, int err) {
  if (err == ENOSPC || err == EDQUOT) {
    return MakeError(ErrorCode::kResourceExhausted, "fs.no_space", what + ": " + strerror(err));
  }
  return MakeError(ErrorCode::kUnavailable, "fs.io", what + ": " + strerror(err));
}

// Unique temp name per process and call, so concurrent writers never collide.
std::string TempName(const std::string& name) {
  static std::atomic<unsigned> counter{0};
  return ".tmp." + std::to_string(getpid()) + "." + std::to_string(counter++) + "." + name;
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write " + path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

}  // namespace

Status MakeDirs(const std::string& dir) {
  if (dir.empty()) return OkStatus();
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) return OkStatus();
  auto slash = dir.find_last_of('/');
  std::string parent = slash == std::string::npos ? "." : (slash == 0 ? "/" : dir.substr(0, slash));
  RD_RETURN_IF_ERROR(MakeDirs(parent));
  if (mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return IoError("mkdir " + dir, errno);
  return FsyncDir(parent);
}

Status FsyncDir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("open " + dir, errno);
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  if (rc != 0) return IoError("fsync " + dir, err);
  return OkStatus();
}

Status SyncFilesystem(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("open " + path, errno);
  int rc = syncfs(fd);
  int err = errno;
  close(fd);
  if (rc != 0) return IoError("syncfs " + path, err);
  return OkStatus();
}

Status WriteFileDurably(const std::string& dir, const std::string& name, std::string_view data,
                        Sync sync) {
  const std::string final_path = dir + "/" + name;
  if (access(final_path.c_str(), F_OK) == 0) return OkStatus();
  const std::string tmp_path = dir + "/" + TempName(name);
  int fd = open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return IoError("create " + tmp_path, errno);
  Status st = WriteAll(fd, data, tmp_path);
  FaultPoint("blob.after_write");
  if (st.ok() && sync == Sync::kNow && fsync(fd) != 0) st = IoError("fsync " + tmp_path, errno);
  close(fd);
  if (!st.ok()) {
    unlink(tmp_path.c_str());
    return st;
  }
  FaultPoint("blob.after_fsync");
  if (rename(tmp_path.c_str(), final_path.c_str()) != 0) {
    int err = errno;
    unlink(tmp_path.c_str());
    return IoError("rename " + final_path, err);
  }
  FaultPoint("blob.after_rename");
  // After this fsync the directory entry is durable: the blob survives a crash.
  if (sync == Sync::kNow) return FsyncDir(dir);
  return OkStatus();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, "fs.not_found", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return MakeError(ErrorCode::kUnavailable, "fs.io", "read " + path);
  return ss.str();
}

}  // namespace replydesk::util
