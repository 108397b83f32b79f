// Rendering of Mustache templates with kainjow mustache: JSON variables
// turned into kainjow data, no HTML escaping (the output is text/plain mail),
// no partials (a variable must never become template text). See templates.h.
#include "rules/templates.h"

#include <kainjow/mustache.hpp>

namespace replydesk::rules {
namespace {

namespace mustache = kainjow::mustache;
using Json = nlohmann::json;

// Marks the end of a standalone tag line (see MarkStandaloneLines).
constexpr std::string_view kMarker = "\x01\x02";

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// A line holding one section or comment tag and nothing else: "{{#x}}", "{{/x}}".
bool IsStandaloneTag(std::string_view line) {
  std::string_view t = TrimBlanks(line);
  if (t.size() < 5 || !t.starts_with("{{") || t.find("}}") != t.size() - 2) return false;
  std::string_view inner = TrimBlanks(t.substr(2, t.size() - 4));
  return !inner.empty() &&
         (inner[0] == '#' || inner[0] == '^' || inner[0] == '/' || inner[0] == '!');
}

// The Mustache spec drops standalone tag lines whether or not the section
// renders; kainjow 4.1 drops them only for sections it renders, and a skipped
// one leaves an empty line behind ("Dear Anna,\n\n\nThank you"). So such lines
// get a marker, kainjow keeps them all, and DropMarkedLines removes them.
// Templates that change delimiters ({{=<% %>=}}) are left as they are.
std::string MarkStandaloneLines(std::string_view source) {
  if (source.find("{{=") != std::string_view::npos) return std::string(source);
  std::string out;
  out.reserve(source.size() + 64);
  for (size_t pos = 0; pos < source.size();) {
    size_t eol = source.find('\n', pos);
    const size_t end = eol == std::string_view::npos ? source.size() : eol;
    std::string_view line = source.substr(pos, end - pos);
    const bool cr = line.ends_with('\r');
    if (cr) line.remove_suffix(1);
    out += line;
    if (IsStandaloneTag(line)) out += kMarker;
    if (cr) out += '\r';
    if (eol != std::string_view::npos) out += '\n';
    pos = end + 1;
  }
  return out;
}

// Removes the lines that hold only markers and blanks, and any other marker.
std::string DropMarkedLines(std::string_view rendered) {
  std::string out;
  out.reserve(rendered.size());
  for (size_t pos = 0; pos < rendered.size();) {
    size_t eol = rendered.find('\n', pos);
    const size_t end = eol == std::string_view::npos ? rendered.size() : eol + 1;
    std::string line(rendered.substr(pos, end - pos));
    pos = end;
    if (line.find(kMarker) == std::string::npos) {
      out += line;
      continue;
    }
    for (size_t at; (at = line.find(kMarker)) != std::string::npos;) line.erase(at, kMarker.size());
    if (!TrimBlanks(std::string_view(line).substr(0, line.find('\n'))).empty()) out += line;
  }
  return out;
}

// Mustache falsiness for our variables: services send "" for "unknown" and
// Mustache sections test it ({{#first_response_due}}), but kainjow treats any
// string, even "", as true. So "" and null become false, which also renders
// as nothing in {{x}}.
mustache::data ToData(const Json& j) {
  switch (j.type()) {
    case Json::value_t::object: {
      mustache::data out{mustache::data::type::object};
      for (const auto& item : j.items()) out.set(item.key(), ToData(item.value()));
      return out;
    }
    case Json::value_t::array: {
      mustache::data out{mustache::data::type::list};
      for (const Json& item : j) out.push_back(ToData(item));
      return out;
    }
    case Json::value_t::string: {
      std::string s = j.get<std::string>();
      for (size_t at; (at = s.find(kMarker)) != std::string::npos;) s.erase(at, kMarker.size());
      if (s.empty()) return mustache::data{false};
      return mustache::data{s};
    }
    case Json::value_t::boolean:
      return mustache::data{j.get<bool>()};
    case Json::value_t::number_integer:
      return mustache::data{std::to_string(j.get<int64_t>())};
    case Json::value_t::number_unsigned:
      return mustache::data{std::to_string(j.get<uint64_t>())};
    case Json::value_t::number_float:
      return mustache::data{j.dump()};
    default:  // null, binary, discarded
      return mustache::data{false};
  }
}

// kainjow looks partials ({{>name}}) up among the variables: a customer's
// subject would be parsed as template text. We have no partials; a template
// that asks for one is refused.
class NoPartialsContext : public mustache::context<std::string> {
 public:
  explicit NoPartialsContext(const mustache::data* data) : context(data) {}

  const mustache::data* get_partial(const std::string& name) const override {
    partial_ = name;
    return nullptr;
  }
  const std::optional<std::string>& partial() const { return partial_; }

 private:
  mutable std::optional<std::string> partial_;
};

util::Error BadTemplate(std::string message) {
  return util::MakeError(util::ErrorCode::kInvalidArgument, "rules.bad_template",
                         std::move(message));
}

}  // namespace

util::Result<std::string> RenderTemplate(std::string_view source, const nlohmann::json& vars) {
  if (!vars.is_object() && !vars.is_null()) {
    return util::MakeError(util::ErrorCode::kInvalidArgument, "rules.bad_template_vars",
                           "template variables must be a JSON object");
  }
  try {
    mustache::mustache tmpl{MarkStandaloneLines(source)};
    if (!tmpl.is_valid()) return BadTemplate(tmpl.error_message());
    tmpl.set_custom_escape([](const std::string& s) { return s; });
    const mustache::data data = ToData(vars.is_null() ? Json::object() : vars);
    NoPartialsContext ctx(&data);
    const std::string out = tmpl.render(ctx);
    if (!tmpl.is_valid()) return BadTemplate(tmpl.error_message());
    if (ctx.partial())
      return BadTemplate("partials are not supported: {{>" + *ctx.partial() + "}}");
    return DropMarkedLines(out);
  } catch (const std::exception& e) {
    // kainjow reports errors through error_message(); an exception here is
    // its bug on odd input, still about this template.
    return BadTemplate(std::string("template engine failed: ") + e.what());
  }
}

}  // namespace replydesk::rules
