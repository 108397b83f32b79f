// Mailbox walking for import: see mailbox_source.h. Maildir layout from the Maildir spec
// (cr.yp.to/proto/maildir.html) and Courier's Maildir++ folders; mbox framing in mbox_reader.
#include "channels/mailbox_source.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "channels/mbox_reader.h"
#include "util/log.h"
#include "util/strings.h"

namespace replydesk::channels {
namespace {

namespace fs = std::filesystem;

util::Error FsError(const std::error_code& ec, const std::string& path) {
  std::string message = path + ": " + ec.message();
  if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) {
    return util::MakeError(util::ErrorCode::kNotFound, "mailbox.not_found", message);
  }
  if (ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted) {
    return util::MakeError(util::ErrorCode::kPermissionDenied, "mailbox.permission_denied",
                           message);
  }
  return util::MakeError(util::ErrorCode::kUnavailable, "mailbox.read_failed", message);
}

util::Result<std::string> ReadWhole(const std::string& path) {
  RD_ASSIGN_OR_RETURN(auto file, OpenForRead(path));
  std::string data;
  char chunk[64 * 1024];
  while (size_t n = std::fread(chunk, 1, sizeof chunk, file.get())) data.append(chunk, n);
  if (std::ferror(file.get())) {
    return util::MakeError(util::ErrorCode::kUnavailable, "mailbox.read_failed",
                           "read " + path + ": " + std::strerror(errno));
  }
  return data;
}

// "Received: from ..." or "Return-Path: <...>": an RFC 5322 field name then a colon.
bool LooksLikeHeader(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && s[i] > ' ' && s[i] < 0x7f && s[i] != ':') ++i;
  return i > 0 && i < s.size() && s[i] == ':';
}

enum class FileKind { kEmpty, kMbox, kSingle, kOther };

util::Result<FileKind> Sniff(const fs::path& path, bool top_level) {
  RD_ASSIGN_OR_RETURN(auto file, OpenForRead(path.string()));
  char head[1024];
  size_t n = std::fread(head, 1, sizeof head, file.get());
  if (n == 0) return FileKind::kEmpty;
  std::string_view s(head, n);
  if (s.starts_with("From ")) return FileKind::kMbox;
  if (top_level || util::EqualsIgnoreCase(path.extension().string(), ".eml") ||
      LooksLikeHeader(s)) {
    return FileKind::kSingle;
  }
  return FileKind::kOther;
}

bool IsDir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool IsMaildir(const fs::path& dir) { return IsDir(dir / "cur") && IsDir(dir / "new"); }

bool IsHidden(const fs::path& p) { return p.filename().string().starts_with('.'); }

// Both ForEachMessage (fn_ set) and CountMessages (fn_ null) run this one walk, so the count
// always matches what the import will visit.
class Walker {
 public:
  explicit Walker(const MailboxCallback* fn) : fn_(fn) {}

  util::Status Walk(const std::string& path) {
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec) return FsError(ec, path);
    if (fs::is_directory(st)) return IsMaildir(path) ? WalkMaildir(path) : WalkFolder(path);
    if (fs::is_regular_file(st)) return VisitFile(path, /*top_level=*/true);
    return util::MakeError(util::ErrorCode::kInvalidArgument, "mailbox.unsupported",
                           path + " is neither a folder nor a regular file");
  }

  size_t count() const { return count_; }

 private:
  util::Result<std::vector<fs::directory_entry>> List(const fs::path& dir) {
    std::error_code ec;
    std::vector<fs::directory_entry> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      entries.push_back(*it);
    }
    if (ec) return FsError(ec, dir.string());
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return a.path().filename() < b.path().filename();
    });
    return entries;
  }

  util::Status WalkFolder(const fs::path& dir) {
    RD_ASSIGN_OR_RETURN(auto entries, List(dir));
    for (const auto& entry : entries) {
      if (IsHidden(entry.path())) continue;  // .DS_Store, .git, editor backups
      std::error_code ec;
      if (entry.is_symlink(ec)) {
        if (entry.is_regular_file(ec)) RD_RETURN_IF_ERROR(VisitFile(entry.path(), false));
        continue;  // directory symlinks could loop
      }
      if (entry.is_directory(ec)) {
        RD_RETURN_IF_ERROR(IsMaildir(entry.path()) ? WalkMaildir(entry.path())
                                                   : WalkFolder(entry.path()));
      } else if (entry.is_regular_file(ec)) {
        RD_RETURN_IF_ERROR(VisitFile(entry.path(), false));
      }
    }
    return util::OkStatus();
  }

  util::Status WalkMaildir(const fs::path& dir) {
    RD_RETURN_IF_ERROR(WalkMaildirMessages(dir));
    RD_ASSIGN_OR_RETURN(auto entries, List(dir));
    for (const auto& entry : entries) {
      std::error_code ec;
      std::string name = entry.path().filename().string();
      if (name == "cur" || name == "new" || name == "tmp") continue;
      if (entry.is_symlink(ec) || !entry.is_directory(ec) || !IsMaildir(entry.path())) continue;
      // Maildir++ keeps every subfolder flat at the root (".Lists.rust"); Dovecot's LAYOUT=fs
      // nests plain-named maildirs instead.
      RD_RETURN_IF_ERROR(name.starts_with('.') ? WalkMaildirMessages(entry.path())
                                               : WalkMaildir(entry.path()));
    }
    return util::OkStatus();
  }

  // new/ first: those were delivered after everything in cur/ was seen by a client.
  util::Status WalkMaildirMessages(const fs::path& maildir) {
    for (const char* sub : {"new", "cur"}) {
      RD_ASSIGN_OR_RETURN(auto entries, List(maildir / sub));
      for (const auto& entry : entries) {
        std::error_code ec;
        if (IsHidden(entry.path()) || !entry.is_regular_file(ec)) continue;
        if (entry.file_size(ec) == 0 && !ec) continue;
        RD_RETURN_IF_ERROR(EmitSingle(entry.path().string()));
      }
    }
    return util::OkStatus();
  }

  util::Status VisitFile(const fs::path& path, bool top_level) {
    RD_ASSIGN_OR_RETURN(FileKind kind, Sniff(path, top_level));
    switch (kind) {
      case FileKind::kEmpty:
        return util::OkStatus();
      case FileKind::kMbox:
        return EmitMbox(path.string());
      case FileKind::kSingle:
        return EmitSingle(path.string());
      case FileKind::kOther:
        if (fn_ != nullptr) spdlog::info("import: skipping {}: not a mail file", path.string());
        return util::OkStatus();
    }
    return util::OkStatus();
  }

  util::Status EmitSingle(const std::string& path) {
    ++count_;
    if (fn_ == nullptr) return util::OkStatus();
    RD_ASSIGN_OR_RETURN(std::string data, ReadWhole(path));
    return (*fn_)(MailboxMessage{path, std::move(data)});
  }

  util::Status EmitMbox(const std::string& path) {
    RD_ASSIGN_OR_RETURN(MboxReader reader, MboxReader::Open(path));
    for (size_t n = 1;; ++n) {
      RD_ASSIGN_OR_RETURN(std::optional<std::string> message, reader.Next(fn_ != nullptr));
      if (!message) return util::OkStatus();
      ++count_;
      if (fn_ != nullptr) {
        RD_RETURN_IF_ERROR(
            (*fn_)(MailboxMessage{path + "#" + std::to_string(n), std::move(*message)}));
      }
    }
  }

  const MailboxCallback* fn_;
  size_t count_ = 0;
};

}  // namespace

util::Status ForEachMessage(const std::string& path, const MailboxCallback& fn) {
  Walker walker(&fn);
  return walker.Walk(path);
}

util::Result<size_t> CountMessages(const std::string& path) {
  Walker walker(nullptr);
  RD_RETURN_IF_ERROR(walker.Walk(path));
  return walker.count();
}

}  // namespace replydesk::channels
