// event_reader.cpp - reading event files back (tf.compat.v1.train.summary_iterator): the
// TFRecord records of the file, each parsed as a tensorflow.Event (event.proto: wall_time
// 1, step 2, file_version 3, graph_def 4, summary 5; summary.proto: Summary.value 1,
// Value.tag 1, simple_value 2, image 4, histo 5, audio 6, tensor 8, metadata 9).
#include <cstring>
#include <stdexcept>

#include "core/protobuf_wire.h"
#include "keras/data/tfrecord.h"
#include "keras/summary.h"
#include "keras/summary/tensor_proto.h"

namespace keras::summary {

namespace {

namespace pb = core::protobuf;

SummaryValue parse_value(std::string_view bytes, const std::string& who) {
  SummaryValue v;
  pb::Reader r(bytes, who + ": Summary.Value");
  uint32_t field, wire;
  while (!r.done()) {
    r.next(field, wire);
    if (field == 1 && wire == pb::kLengthDelimited) {
      v.tag = r.bytes();
    } else if (field == 2 && wire == pb::kFixed32) {
      const uint32_t bits = r.fixed32();
      float f;
      std::memcpy(&f, &bits, 4);
      v.simple_value = f;
    } else if (field == 8 && wire == pb::kLengthDelimited) {
      v.tensor = detail::decode_tensor_proto(r.bytes(), who);
    } else if (field == 9 && wire == pb::kLengthDelimited) {
      v.metadata = SummaryMetadata::parse(std::string(r.bytes()));
    } else if ((field == 4 || field == 5 || field == 6) && wire == pb::kLengthDelimited) {
      v.other = std::pair<int, std::string>(static_cast<int>(field), std::string(r.bytes()));
    } else {
      r.skip(wire);
    }
  }
  return v;
}

Event parse_event(std::string_view bytes, const std::string& who) {
  Event e;
  pb::Reader r(bytes, who + ": Event");
  uint32_t field, wire;
  while (!r.done()) {
    r.next(field, wire);
    if (field == 1 && wire == pb::kFixed64) {
      const uint64_t bits = r.fixed64();
      std::memcpy(&e.wall_time, &bits, 8);
    } else if (field == 2 && wire == pb::kVarint) {
      e.step = static_cast<int64_t>(r.varint());
    } else if (field == 3 && wire == pb::kLengthDelimited) {
      e.file_version = r.bytes();
    } else if (field == 4 && wire == pb::kLengthDelimited) {
      e.graph_def = r.bytes();
    } else if (field == 5 && wire == pb::kLengthDelimited) {
      pb::Reader s(r.bytes(), who + ": Summary");
      while (!s.done()) {
        s.next(field, wire);
        if (field == 1 && wire == pb::kLengthDelimited)
          e.summary.push_back(parse_value(s.bytes(), who));
        else
          s.skip(wire);
      }
    } else {
      r.skip(wire);
    }
  }
  return e;
}

}  // namespace

struct EventFileReader::Impl {
  core::io::TFRecordReader records;
  std::string who;
};

EventFileReader::EventFileReader(const std::string& path)
    : impl_(std::make_unique<Impl>(Impl{core::io::TFRecordReader(path), "event file '" + path + "'"})) {}
EventFileReader::~EventFileReader() = default;
EventFileReader::EventFileReader(EventFileReader&&) noexcept = default;
EventFileReader& EventFileReader::operator=(EventFileReader&&) noexcept = default;

std::optional<Event> EventFileReader::next() {
  if (!impl_) return std::nullopt;
  std::optional<std::string> record = impl_->records.next();
  if (!record) return std::nullopt;
  return parse_event(*record, impl_->who);
}

std::vector<Event> read_events(const std::string& path) {
  EventFileReader reader(path);
  std::vector<Event> out;
  while (auto e = reader.next()) out.push_back(std::move(*e));
  return out;
}

}  // namespace keras::summary
