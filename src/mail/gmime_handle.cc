// GMime set-up and stream helpers: see gmime_handle.h.
#include "mail/gmime_handle.h"

#include <mutex>

namespace replydesk::mail {
namespace {

void Configure(GMimeParserOptions* options) {
  static const char* fallback[] = {"utf-8",      "windows-1251", "koi8-r",
                                   "iso-8859-2", "windows-1250", nullptr};
  g_mime_parser_options_set_fallback_charsets(options, fallback);
  g_mime_parser_options_set_rfc2047_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_address_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_parameter_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_allow_addresses_without_domain(options, FALSE);
}

const char* WarningFlag(GMimeParserWarning warning) {
  switch (warning) {
    case GMIME_WARN_MALFORMED_MULTIPART:
      return "repair.malformed_multipart";
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
      return "repair.missing_boundary";
    case GMIME_WARN_TRUNCATED_MESSAGE:
      return "repair.truncated";
    case GMIME_WARN_MALFORMED_MESSAGE:
      return "repair.malformed_message";
    case GMIME_WARN_INVALID_CONTENT_TYPE:
      return "repair.invalid_content_type";
    case GMIME_CRIT_NESTING_OVERFLOW:
      return "limit.nesting_depth";
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
      return "repair.empty_part";
    default:
      return nullptr;  // duplicated headers, 8-bit headers: handled elsewhere
  }
}

void OnWarning(gint64 /*offset*/, GMimeParserWarning warning, const gchar* /*item*/,
               gpointer user_data) {
  const char* flag = WarningFlag(warning);
  if (flag == nullptr) return;
  auto* flags = static_cast<std::vector<std::string>*>(user_data);
  for (const std::string& f : *flags) {
    if (f == flag) return;
  }
  flags->emplace_back(flag);
}

}  // namespace

GMimeParserOptions* SharedParserOptions() {
  static std::once_flag once;
  static GMimeParserOptions* options = nullptr;
  std::call_once(once, [] {
    g_mime_init();
    options = g_mime_parser_options_new();  // lives for the whole process
    Configure(options);
  });
  return options;
}

ParserOptionsPtr NewParserOptions(std::vector<std::string>* flags) {
  SharedParserOptions();  // g_mime_init first
  ParserOptionsPtr options(g_mime_parser_options_new());
  Configure(options.get());
  g_mime_parser_options_set_warning_callback(options.get(), OnWarning, flags);
  return options;
}

std::string StreamBytes(GMimeStream* stream) {
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));
  if (bytes == nullptr || bytes->data == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

std::string DecodedContent(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return {};
  GObjectPtr<GMimeStream> out(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(content, out.get());
  return StreamBytes(out.get());
}

std::string SerializeObject(GMimeObject* object) {
  GObjectPtr<GMimeStream> out(g_mime_stream_mem_new());
  g_mime_object_write_to_stream(object, nullptr, out.get());
  return StreamBytes(out.get());
}

}  // namespace replydesk::mail
