// RAII for GMime objects and the once-per-process GMime set-up.
// Every GObject the mail module creates is held in a GObjectPtr; objects
// that GMime lends (getters) are never wrapped.
#pragma once

#include <gmime/gmime.h>

#include <memory>
#include <string>
#include <vector>

namespace replydesk::mail {

struct GObjectUnref {
  void operator()(void* object) const {
    if (object != nullptr) g_object_unref(object);
  }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct ParserOptionsFree {
  void operator()(GMimeParserOptions* options) const { g_mime_parser_options_free(options); }
};
using ParserOptionsPtr = std::unique_ptr<GMimeParserOptions, ParserOptionsFree>;

// Initialises GMime once (std::call_once) and returns the shared parser
// options: loose RFC 2047 / address / parameter modes and the fallback
// charsets utf-8, windows-1251, koi8-r, iso-8859-2, windows-1250. The options
// are never changed after set-up, so they may be shared between threads.
GMimeParserOptions* SharedParserOptions();

// Fresh options for one parse, configured like SharedParserOptions, whose
// warning callback appends repair flags ("repair.missing_boundary", ...) to
// `*flags`; `flags` must outlive the options.
ParserOptionsPtr NewParserOptions(std::vector<std::string>* flags);

// Bytes of a GMime stream from its start (a memory stream, typically).
std::string StreamBytes(GMimeStream* stream);

// The decoded content of a leaf part (transfer encoding undone), "" when none.
std::string DecodedContent(GMimePart* part);

// The object written back as bytes (a forwarded message/rfc822, for example).
std::string SerializeObject(GMimeObject* object);

}  // namespace replydesk::mail
