// The ticket tag in subjects, "[#T-104233]": how a reply finds its ticket
// first, before any header. The prefix ("T-") is configurable; matching is
// case-insensitive and tolerates the forms mail clients and people produce
// ("[#t-104233]", "[# T-104233]", "[T-104233]").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace replydesk::domain {

class TicketTag {
 public:
  explicit TicketTag(std::string prefix = "T-") : prefix_(std::move(prefix)) {}

  // "[#T-104233]".
  std::string Format(int64_t number) const;
  // "Printer broken [#T-104233]": appends the tag unless the subject already has it.
  std::string AddTo(std::string_view subject, int64_t number) const;
  // The number of the first tag in `subject`, if any.
  std::optional<int64_t> Find(std::string_view subject) const;
  // `subject` with every tag of ours removed (whitespace collapsed).
  std::string Strip(std::string_view subject) const;

 private:
  // Position and length of the first tag at or after `from`; npos when none.
  std::pair<size_t, size_t> Locate(std::string_view s, size_t from, int64_t* number) const;

  std::string prefix_;
};

}  // namespace replydesk::domain
