// In-memory hand-off of accepted raw messages: see raw_message_cache.h.
#include "services/raw_message_cache.h"

namespace replydesk::services {

bool RawMessageCache::Put(const std::string& sha256, std::string raw) {
  std::lock_guard<std::mutex> lock(mu_);
  if (raw.size() > max_bytes_ - bytes_) return false;
  const size_t n = raw.size();
  if (!entries_.try_emplace(sha256, std::move(raw)).second) return false;
  bytes_ += n;
  return true;
}

std::optional<std::string> RawMessageCache::Take(const std::string& sha256) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(sha256);
  if (it == entries_.end()) return std::nullopt;
  std::string raw = std::move(it->second);
  entries_.erase(it);
  bytes_ -= raw.size();
  return raw;
}

size_t RawMessageCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

size_t RawMessageCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace replydesk::services
