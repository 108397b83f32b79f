// Parsing an enum from its name, by comparing with the enum's own name
// function (one list of names per enum: the XxxName functions). Used by the
// domain's ParseXxx functions and by the store reading stored names.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace replydesk::domain {

// The member of `all` whose name(e) equals `s`, or nullopt.
template <typename E, size_t N>
std::optional<E> ParseByName(const std::string& s, const E (&all)[N], const char* (*name)(E)) {
  for (E e : all) {
    if (s == name(e)) return e;
  }
  return std::nullopt;
}

}  // namespace replydesk::domain
