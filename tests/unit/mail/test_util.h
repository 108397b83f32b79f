// Helpers for mail unit tests: text in a legacy charset, built with iconv.
#pragma once

#include <iconv.h>

#include <string>

namespace replydesk::mail::testing {

// `utf8` converted to `charset` (test input only; aborts the test on failure
// by returning "").
inline std::string Encode(const std::string& utf8, const char* charset) {
  iconv_t cd = iconv_open(charset, "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return {};
  std::string in = utf8, out(utf8.size() * 4 + 16, '\0');
  char* ip = in.data();
  char* op = out.data();
  size_t il = in.size(), ol = out.size();
  size_t rc = iconv(cd, &ip, &il, &op, &ol);
  iconv_close(cd);
  if (rc == static_cast<size_t>(-1)) return {};
  out.resize(out.size() - ol);
  return out;
}

}  // namespace replydesk::mail::testing
