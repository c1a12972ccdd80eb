// Protobuf wire framing shared by the Rachis record and wire encoders.
#ifndef RAVENSIM_CORE_RACHIS_WIRE_FIELD_H_
#define RAVENSIM_CORE_RACHIS_WIRE_FIELD_H_

#include <cstdint>
#include <string>

#include "google/protobuf/message_lite.h"

namespace ravensim::rachis {

// Appends `message` to `out` as the length-delimited field `field` of an enclosing
// message (tag, varint length, bytes), serialized in place: the bytes equal the enclosing
// message's serialization with only that field set, without building or copying it.
inline void AppendMessageField(uint32_t field, const google::protobuf::MessageLite& message,
                               std::string* out) {
  const size_t size = message.ByteSizeLong();
  out->reserve(out->size() + size + 15);
  auto put_varint = [out](uint64_t v) {
    for (; v >= 0x80; v >>= 7) out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    out->push_back(static_cast<char>(v));
  };
  put_varint((uint64_t{field} << 3) | 2);
  put_varint(size);
  const size_t at = out->size();
  out->resize(at + size);
  message.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(&(*out)[at]));
}

}  // namespace ravensim::rachis

#endif  // RAVENSIM_CORE_RACHIS_WIRE_FIELD_H_
