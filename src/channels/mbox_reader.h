// Streaming reader for mbox files (RFC 4155, with the mboxo and mboxrd quoting variants).
// Reads line by line through a buffered FILE*, so only the current message is in memory.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace replydesk::channels {

// Splitting rules:
// - a file whose first line does not start with "From " is one message, returned byte-exact;
// - otherwise every "From " line at file start, or after a blank line and carrying an asctime
//   timestamp ("hh:mm", RFC 4155 §2), starts a message; the From_ line itself is dropped, and
//   so is the blank line that separates a message from the next From_ line;
// - ">From ", ">>From " ... lose one '>' (mboxrd; for mboxo files this is the usual lossy
//   reading of ">From " lines that were in the original message);
// - CRLF line ends become LF (Replydesk stores messages with LF, as MTAs hand them to a pipe).
// Not thread-safe; one reader per file.
class MboxReader {
 public:
  // Errors: kNotFound "mailbox.not_found", kPermissionDenied "mailbox.permission_denied",
  // kUnavailable "mailbox.read_failed".
  static util::Result<MboxReader> Open(const std::string& path);

  // The next message, or nullopt at the end of the file. With keep_data false the message is
  // skipped without being stored (CountMessages) and the returned string is empty.
  util::Result<std::optional<std::string>> Next(bool keep_data = true);

 private:
  using FilePtr = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;
  struct LineBuffer {
    char* data = nullptr;
    size_t capacity = 0;
    ~LineBuffer() { std::free(data); }
  };

  MboxReader(FilePtr file, std::string path);
  // Reads one line including its LF; false at end of file.
  util::Result<bool> ReadLine(std::string_view& line);
  util::Result<std::optional<std::string>> ReadWholeFile(std::string first_line, bool keep_data);

  FilePtr file_;
  std::string path_;
  std::unique_ptr<LineBuffer> line_buffer_;
  bool started_ = false;
  bool at_separator_ = false;  // a From_ line was read and starts the next message
  bool done_ = false;
};

// Opens `path` for reading and maps errno to the error codes above.
util::Result<std::unique_ptr<std::FILE, int (*)(std::FILE*)>> OpenForRead(const std::string& path);

}  // namespace replydesk::channels
