// Streaming mbox reader: see mbox_reader.h.
#include "channels/mbox_reader.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace replydesk::channels {
namespace {

constexpr std::string_view kFrom = "From ";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A From_ separator after a blank line: "From " plus an asctime timestamp, recognised by its
// "hh:mm". The timestamp check keeps an unquoted "From here on..." body line (mboxo writers
// that forgot to quote) from splitting a message in two.
bool IsSeparator(std::string_view line) {
  if (!line.starts_with(kFrom)) return false;
  for (size_t i = kFrom.size(); i + 2 < line.size(); ++i) {
    if (line[i] == ':' && IsDigit(line[i - 1]) && IsDigit(line[i + 1]) && IsDigit(line[i + 2])) {
      return true;
    }
  }
  return false;
}

// ">From ", ">>From " ... (mboxrd quoting; mboxo quotes only one level).
bool IsQuotedFrom(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] == '>') ++i;
  return i > 0 && line.substr(i).starts_with(kFrom);
}

util::Error ReadError(const std::string& path, int err) {
  return util::MakeError(util::ErrorCode::kUnavailable, "mailbox.read_failed",
                         "read " + path + ": " + std::strerror(err));
}

}  // namespace

util::Result<std::unique_ptr<std::FILE, int (*)(std::FILE*)>> OpenForRead(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    int err = errno;
    std::string message = "open " + path + ": " + std::strerror(err);
    if (err == ENOENT || err == ENOTDIR) {
      return util::MakeError(util::ErrorCode::kNotFound, "mailbox.not_found", message);
    }
    if (err == EACCES || err == EPERM) {
      return util::MakeError(util::ErrorCode::kPermissionDenied, "mailbox.permission_denied",
                             message);
    }
    return util::MakeError(util::ErrorCode::kUnavailable, "mailbox.read_failed", message);
  }
  std::setvbuf(f, nullptr, _IOFBF, 64 * 1024);
  return std::unique_ptr<std::FILE, int (*)(std::FILE*)>(f, &std::fclose);
}

util::Result<MboxReader> MboxReader::Open(const std::string& path) {
  RD_ASSIGN_OR_RETURN(auto file, OpenForRead(path));
  return MboxReader(std::move(file), path);
}

MboxReader::MboxReader(FilePtr file, std::string path)
    : file_(std::move(file)), path_(std::move(path)), line_buffer_(new LineBuffer) {}

util::Result<bool> MboxReader::ReadLine(std::string_view& line) {
  errno = 0;
  ssize_t n = ::getline(&line_buffer_->data, &line_buffer_->capacity, file_.get());
  if (n < 0) {
    if (std::ferror(file_.get())) return ReadError(path_, errno);
    return false;
  }
  line = std::string_view(line_buffer_->data, static_cast<size_t>(n));
  return true;
}

util::Result<std::optional<std::string>> MboxReader::ReadWholeFile(std::string first_line,
                                                                   bool keep_data) {
  done_ = true;
  std::string data = keep_data ? std::move(first_line) : std::string();
  char chunk[64 * 1024];
  while (size_t n = std::fread(chunk, 1, sizeof chunk, file_.get())) {
    if (keep_data) data.append(chunk, n);
  }
  if (std::ferror(file_.get())) return ReadError(path_, errno);
  return std::optional<std::string>(std::move(data));
}

util::Result<std::optional<std::string>> MboxReader::Next(bool keep_data) {
  if (done_) return std::optional<std::string>();
  std::string_view line;
  if (!started_) {
    started_ = true;
    RD_ASSIGN_OR_RETURN(bool got, ReadLine(line));
    if (!got) {
      done_ = true;  // empty file: no message
      return std::optional<std::string>();
    }
    if (!line.starts_with(kFrom)) return ReadWholeFile(std::string(line), keep_data);
    at_separator_ = true;
  }
  if (!at_separator_) {
    done_ = true;
    return std::optional<std::string>();
  }
  at_separator_ = false;

  std::string data;
  bool prev_blank = false;
  while (true) {
    RD_ASSIGN_OR_RETURN(bool got, ReadLine(line));
    if (!got) {
      done_ = true;
      break;
    }
    bool has_lf = line.ends_with('\n');
    if (has_lf) line.remove_suffix(1);
    if (has_lf && line.ends_with('\r')) line.remove_suffix(1);
    if (prev_blank && IsSeparator(line)) {
      at_separator_ = true;
      break;
    }
    prev_blank = has_lf && line.empty();
    if (IsQuotedFrom(line)) line.remove_prefix(1);
    if (keep_data) {
      data.append(line);
      if (has_lf) data += '\n';
    }
  }
  // The blank line before the next From_ line (or at the end of the file) is mbox framing.
  if (prev_blank && keep_data) data.pop_back();
  return std::optional<std::string>(std::move(data));
}

}  // namespace replydesk::channels
