// Charset conversion to UTF-8: see charset.h. Conversion uses glibc iconv
// directly with GMime's alias table for the names seen in real mail
// ("cp-1251", "win-1251", "ks_c_5601-1987"). Handles are cached per thread:
// iconv_open dlopens a gconv module and iconv_close unloads it, which cost
// more than half of an import's time before the cache (bench/RESULTS.md).
#include "mail/charset.h"

#include <gmime/gmime.h>
#include <iconv.h>

#include <cerrno>
#include <map>
#include <memory>

#include "mail/charset_guess.h"
#include "mail/gmime_handle.h"
#include "util/strings.h"

namespace replydesk::mail {
namespace {

// Per-thread cache of iconv handles to UTF-8, keyed by iconv charset name.
// A handle is reset to its initial state before each use. Unknown names are
// cached as failures too (a message may repeat a bogus label many times).
class IconvCache {
 public:
  ~IconvCache() {
    for (auto& [name, cd] : handles_) {
      if (cd != kInvalid) iconv_close(cd);
    }
  }
  iconv_t Get(const std::string& name) {
    auto it = handles_.find(name);
    if (it == handles_.end()) {
      if (handles_.size() >= 64) Clear();  // bounded: labels come from outside
      it = handles_.emplace(name, iconv_open("UTF-8", name.c_str())).first;
    }
    if (it->second != kInvalid) iconv(it->second, nullptr, nullptr, nullptr, nullptr);
    return it->second;
  }
  static inline const iconv_t kInvalid = reinterpret_cast<iconv_t>(-1);

 private:
  void Clear() {
    for (auto& [name, cd] : handles_) {
      if (cd != kInvalid) iconv_close(cd);
    }
    handles_.clear();
  }
  std::map<std::string, iconv_t> handles_;
};

// Length of the valid UTF-8 sequence at s[i], 0 when invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t len = 0;
  uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return len;
}

bool IsUtf8Label(std::string_view charset) {
  std::string c = util::AsciiLower(util::TrimView(charset));
  return c == "utf-8" || c == "utf8" || c == "unicode-1-1-utf-8" || c == "x-unicode20utf8";
}

bool IsUnlabelled(std::string_view charset) {
  std::string c = util::AsciiLower(util::TrimView(charset));
  return c.empty() || c == "us-ascii" || c == "ascii" || c == "unknown-8bit" || c == "x-unknown" ||
         c == "unknown" || c == "default" || c == "x-user-defined" || c == "charset";
}

bool IsCyrillicLabel(std::string_view charset) {
  std::string c = util::AsciiLower(util::TrimView(charset));
  return c == "koi8-r" || c == "koi8r" || c == "windows-1251" || c == "cp1251" || c == "cp-1251" ||
         c == "win-1251" || c == "iso-8859-5";
}

// Single-byte charsets in which real text is almost never valid UTF-8 by
// accident, so valid UTF-8 under such a label is a mislabel.
bool IsSingleByteLabel(std::string_view charset) {
  std::string c = util::AsciiLower(util::TrimView(charset));
  for (std::string_view p :
       {"iso-8859", "iso8859", "windows-12", "cp12", "koi8", "latin", "cp866", "ibm866"}) {
    if (c.starts_with(p)) return true;
  }
  return false;
}

// Counts well-formed multibyte sequences and invalid bytes.
void CountUtf8(std::string_view s, size_t* multibyte, size_t* invalid) {
  *multibyte = *invalid = 0;
  for (size_t i = 0; i < s.size();) {
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      ++*invalid;
      ++i;
    } else {
      if (len > 1) ++*multibyte;
      i += len;
    }
  }
}

std::string Latin1ToUtf8(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// Converts with the guessed charset, then windows-1252, then Latin-1 (total).
std::string ConvertGuessed(std::string_view bytes) {
  std::string out;
  for (const std::string& cs : {GuessEightBitCharset(bytes), std::string("windows-1252")}) {
    if (ConvertCharset(bytes, cs, &out)) return out;
  }
  return Latin1ToUtf8(bytes);
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

bool HasEightBit(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return true;
  }
  return false;
}

bool ConvertCharset(std::string_view bytes, std::string_view charset, std::string* out) {
  std::string label(util::TrimView(charset));
  if (label.empty()) return false;
  SharedParserOptions();  // GMime's charset tables exist only after g_mime_init
  const char* name = g_mime_charset_iconv_name(label.c_str());
  thread_local IconvCache cache;
  iconv_t cd = cache.Get(name ? name : label);
  if (cd == IconvCache::kInvalid) return false;
  std::string result;
  std::string input(bytes);
  char* in = input.data();
  size_t in_left = input.size();
  char buf[4096];
  while (in_left > 0) {
    char* o = buf;
    size_t o_left = sizeof(buf);
    size_t rc = iconv(cd, &in, &in_left, &o, &o_left);
    result.append(buf, o - buf);
    if (rc == static_cast<size_t>(-1) && errno != E2BIG) return false;
  }
  char* o = buf;
  size_t o_left = sizeof(buf);
  iconv(cd, nullptr, nullptr, &o, &o_left);  // flush shift state (ISO-2022-JP)
  result.append(buf, o - buf);
  if (!IsValidUtf8(result)) return false;
  *out = std::move(result);
  return true;
}

Utf8Text ToUtf8(std::string_view bytes, std::string_view declared_charset) {
  if (!HasEightBit(bytes) &&
      !util::StartsWithIgnoreCase(util::TrimView(declared_charset), "utf-16") &&
      !util::StartsWithIgnoreCase(util::TrimView(declared_charset), "iso-2022") &&
      !util::StartsWithIgnoreCase(util::TrimView(declared_charset), "utf-7")) {
    return {std::string(bytes), false};
  }
  bool utf8_label = IsUtf8Label(declared_charset);
  if (utf8_label || IsUnlabelled(declared_charset)) {
    if (IsValidUtf8(bytes)) {
      bool mislabelled = !utf8_label && !util::TrimView(declared_charset).empty();
      return {std::string(bytes), mislabelled};
    }
    size_t multibyte = 0, invalid = 0;
    CountUtf8(bytes, &multibyte, &invalid);
    // Mostly UTF-8 with a few broken bytes (a truncated line, a pasted
    // Latin-1 quote): keep the UTF-8 and mark the bad bytes.
    if (multibyte > invalid) return {SanitizeUtf8(bytes), true};
    return {ConvertGuessed(bytes), true};
  }
  if (IsSingleByteLabel(declared_charset) && IsValidUtf8(bytes)) return {std::string(bytes), true};
  std::string out;
  if (ConvertCharset(bytes, declared_charset, &out)) {
    // Outlook Express labelled windows-1251 text as koi8-r and the other way
    // round; switch only when the other reading is clearly better.
    if (IsCyrillicLabel(declared_charset)) {
      std::string guess = GuessEightBitCharset(bytes);
      std::string alt;
      if (!util::EqualsIgnoreCase(guess, declared_charset) && ConvertCharset(bytes, guess, &alt) &&
          CyrillicScore(alt) > CyrillicScore(out) + 4.0 * (1 + bytes.size() / 64.0)) {
        return {std::move(alt), true};
      }
    }
    return {std::move(out), false};
  }
  if (IsValidUtf8(bytes)) return {std::string(bytes), true};
  return {ConvertGuessed(bytes), true};
}

}  // namespace replydesk::mail
