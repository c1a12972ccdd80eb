#include "tools/scenario/timeline.h"

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace ravensim::tools {
namespace {

using sim::SimDuration;
using sim::SimTime;

google::protobuf::Struct ParseJson(const std::string& json) {
  google::protobuf::Struct parsed;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &parsed);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return parsed;
}

TEST(TimelineTest, FormatsMicrosExactly) {
  EXPECT_EQ(FormatMicros(0), "0.000");
  EXPECT_EQ(FormatMicros(1), "0.001");
  EXPECT_EQ(FormatMicros(1234567), "1234.567");
  EXPECT_EQ(FormatMicros(-1500), "-1.500");
}

TEST(TimelineTest, EmptyTimelineIsValidJson) {
  Timeline timeline;
  const auto parsed = ParseJson(timeline.ToJson());
  ASSERT_TRUE(parsed.fields().contains("traceEvents"));
  EXPECT_EQ(parsed.fields().at("traceEvents").list_value().values_size(), 0);
}

TEST(TimelineTest, SpansAndInstantsAreWellFormed) {
  Timeline timeline;
  const Timeline::Track node_a{Timeline::Process::kCluster, 0};
  const Timeline::Track client{Timeline::Process::kClients, 3};
  timeline.NameTrack(node_a, "node A");
  timeline.NameTrack(client, "client \"3\"");  // Needs escaping.
  const SimTime t0 = SimTime::Zero() + SimDuration::Millis(5);
  timeline.Span(node_a, t0, t0 + SimDuration::Millis(250), "leader term 2", "leadership",
                {{"term", "2"}});
  timeline.Span(client, t0, t0 + SimDuration::Nanos(1500), "write k0=7", "client",
                {{"outcome", "ok"}, {"detail", "line\nbreak"}});
  timeline.Instant(node_a, t0, "clock jump +5s", "fault");
  const auto parsed = ParseJson(timeline.ToJson());
  const auto& events = parsed.fields().at("traceEvents").list_value().values();
  // 2 processes x 2 metadata + 2 tracks x 2 metadata + 3 events.
  ASSERT_EQ(events.size(), 11);
  int spans = 0;
  int instants = 0;
  for (const auto& e : events) {
    const auto& f = e.struct_value().fields();
    ASSERT_TRUE(f.contains("ph"));
    ASSERT_TRUE(f.contains("pid"));
    const std::string ph = f.at("ph").string_value();
    if (ph == "X") {
      ++spans;
      EXPECT_TRUE(f.contains("dur"));
      EXPECT_TRUE(f.contains("ts"));
    }
    if (ph == "i") ++instants;
    if (f.at("name").string_value() == "leader term 2") {
      EXPECT_DOUBLE_EQ(f.at("ts").number_value(), 5000.0);
      EXPECT_DOUBLE_EQ(f.at("dur").number_value(), 250000.0);
      EXPECT_EQ(f.at("args").struct_value().fields().at("term").string_value(), "2");
    }
    if (f.at("name").string_value() == "thread_name" && f.at("pid").number_value() == 2) {
      EXPECT_EQ(f.at("args").struct_value().fields().at("name").string_value(),
                "client \"3\"");
    }
  }
  EXPECT_EQ(spans, 2);
  EXPECT_EQ(instants, 1);
}

}  // namespace
}  // namespace ravensim::tools
