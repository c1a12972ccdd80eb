#include "checkers/convergence/change_vector.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ravensim::checkers {

absl::StatusOr<ChangeVector> ChangeVector::Parse(absl::string_view text) {
  ChangeVector cv;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    part = absl::StripAsciiWhitespace(part);
    const size_t colon = part.find(':');
    const size_t dash = part.find('-', colon == absl::string_view::npos ? 0 : colon);
    int64_t etag;
    if (colon == absl::string_view::npos || dash == absl::string_view::npos ||
        !absl::SimpleAtoi(part.substr(colon + 1, dash - colon - 1), &etag) || etag < 0 ||
        dash + 1 >= part.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad change vector entry '", part, "' (expected Tag:etag-dbid)"));
    }
    Entry& e = cv.etag_by_db_[std::string(part.substr(dash + 1))];
    e.node_tag = std::string(part.substr(0, colon));
    e.etag = std::max(e.etag, etag);
  }
  return cv;
}

CvOrder ChangeVector::Compare(const ChangeVector& other) const {
  bool some_less = false, some_greater = false;
  auto a = etag_by_db_.begin(), b = other.etag_by_db_.begin();
  while (a != etag_by_db_.end() || b != other.etag_by_db_.end()) {
    int64_t x = 0, y = 0;
    if (b == other.etag_by_db_.end() || (a != etag_by_db_.end() && a->first < b->first)) {
      x = (a++)->second.etag;
    } else if (a == etag_by_db_.end() || b->first < a->first) {
      y = (b++)->second.etag;
    } else {
      x = (a++)->second.etag;
      y = (b++)->second.etag;
    }
    some_less |= x < y;
    some_greater |= x > y;
  }
  if (some_less && some_greater) return CvOrder::kConcurrent;
  if (some_less) return CvOrder::kBefore;
  if (some_greater) return CvOrder::kAfter;
  return CvOrder::kEqual;
}

bool ChangeVector::Contains(const ChangeVector& other) const {
  const CvOrder o = Compare(other);
  return o == CvOrder::kEqual || o == CvOrder::kAfter;
}

ChangeVector ChangeVector::Merge(const ChangeVector& other) const {
  ChangeVector out = *this;
  for (const auto& [db, e] : other.etag_by_db_) {
    Entry& mine = out.etag_by_db_[db];
    if (e.etag >= mine.etag) mine = e;
  }
  return out;
}

std::string ChangeVector::ToString() const {
  std::string out;
  for (const auto& [db, e] : etag_by_db_) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", e.node_tag, ":", e.etag, "-", db);
  }
  return out;
}

}  // namespace ravensim::checkers
