// Durable file writes, the way Postfix and Dovecot make mail safe on disk:
// write a temp file in the target folder, fsync it, rename it into place,
// fsync the folder. After WriteFileDurably returns ok, the file survives a
// crash or power loss with exactly these bytes; before, it is absent or whole
// (never partial under its final name).
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace replydesk::util {

enum class Sync {
  kNow,       // fsync file and folder before returning
  kDeferred,  // no fsync; the caller calls SyncFilesystem() before relying on it
};

// Creates `dir` and its parents when missing (fsyncing each new folder's parent).
Status MakeDirs(const std::string& dir);

// Writes `data` to `dir/name` atomically. When the file already exists it is
// left untouched (content-addressed names make that correct) and ok is returned.
// Errors: kResourceExhausted "fs.no_space" (ENOSPC, EDQUOT), kUnavailable "fs.io".
Status WriteFileDurably(const std::string& dir, const std::string& name, std::string_view data,
                        Sync sync = Sync::kNow);

// fsyncs a folder so that entries created or renamed in it are durable.
Status FsyncDir(const std::string& dir);

// syncfs() on the filesystem holding `path`: one call makes a batch of
// kDeferred writes durable.
Status SyncFilesystem(const std::string& path);

// Reads a whole file. kNotFound "fs.not_found" when absent.
Result<std::string> ReadFile(const std::string& path);

}  // namespace replydesk::util
