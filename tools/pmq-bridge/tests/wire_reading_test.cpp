// What the bridge reads off the wire itself instead of through cnats's
// allocating helpers: JetStream's answers to publishes (export) and the
// reply subjects of deliveries (import). Every form nats-server sends, and
// what it must not take for one.
#include "../delivery_meta.hpp"
#include "../publish_answers.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pmq_bridge {
namespace {

PublishAnswer read(const std::string &body)
{
    PublishAnswer answer;
    answer.text = "left from an earlier answer";
    read_publish_answer(body.data(), body.size(), answer);
    return answer;
}

TEST(PublishAnswer, StoredMessage)
{
    const PublishAnswer a = read(R"({"stream":"jobs", "seq":7})"); // nats-server 2.9's own spacing
    EXPECT_TRUE(a.stored);
    EXPECT_FALSE(a.duplicate);
    EXPECT_EQ(a.error, NATS_OK);
    EXPECT_EQ(a.js_code, 0);
    EXPECT_TRUE(a.text.empty());
}

TEST(PublishAnswer, DuplicateDroppedByMessageId)
{
    const PublishAnswer a = read(R"({"stream":"jobs", "domain":"hub", "seq":7,"duplicate": true})");
    EXPECT_TRUE(a.stored);
    EXPECT_TRUE(a.duplicate);
}

TEST(PublishAnswer, DuplicateFalseIsNotADuplicate)
{
    const PublishAnswer a = read(R"({"stream":"jobs","seq":8,"duplicate":false})");
    EXPECT_TRUE(a.stored);
    EXPECT_FALSE(a.duplicate);
}

TEST(PublishAnswer, EveryFormOfStoredAndWhatOnlyLooksLikeIt)
{
    // Read by hand when nats-server's own field order, by the parser otherwise:
    // the same answer either way.
    struct Case {
        const char *body;
        bool stored, duplicate;
    };
    for (const Case c : {Case{R"({"stream":"jobs","seq":1})", true, false},
                         Case{R"({"stream":"jobs","seq":1,"duplicate":true})", true, true},
                         Case{R"({"stream":"jobs","seq":1,"domain":"hub"})", true, false},
                         Case{R"({"stream":"jobs","seq":1,"domain":"hub","duplicate":true})", true, true},
                         Case{R"({"seq":1,"stream":"jobs","duplicate":true})", true, true},
                         Case{R"({ "stream" : "jobs", "seq" : 1 })", true, false},
                         Case{R"({"stream":"jobs","seq":1} )", true, false},
                         Case{R"({"stream":"jobs","seq":})", false, false},
                         Case{R"({"stream":"jobs","seq":1,"duplicate":true)", false, false},
                         Case{R"({"stream":"jobs","seq":1}})", false, false},
                         Case{R"({"stream":"jobs","seq":1,"domain":"hub)", false, false},
                         Case{R"({"stream":"jobs","seq":"1"})", false, false},
                         Case{R"({"stream":"jo\"bs","seq":1})", true, false},
                         Case{R"({"stream":"jobs","seq":1,"duplicate":false})", true, false},
                         Case{R"({"stream":"jobs","seq":1,"duplicate": tru})", false, false},
                         Case{R"({"stream":"jobs","seq":1,"meta":{"error":{"code":1}}})", true, false}}) {
        const PublishAnswer a = read(c.body);
        EXPECT_EQ(a.stored, c.stored) << c.body;
        EXPECT_EQ(a.duplicate, c.duplicate) << c.body;
        EXPECT_EQ(a.error, c.stored ? NATS_OK : NATS_ERR) << c.body;
    }
}

TEST(PublishAnswer, JetStreamErrorKeepsCodeAndDescription)
{
    const PublishAnswer a = read(
        R"({"error":{"code":400,"err_code":10054,"description":"message size exceeds maximum allowed"},"stream":"jobs","seq":0})");
    EXPECT_FALSE(a.stored);
    EXPECT_EQ(a.error, NATS_ERR);
    EXPECT_EQ(a.js_code, 10054);
    EXPECT_EQ(a.text, "message size exceeds maximum allowed");
}

TEST(PublishAnswer, ErrorFieldsAfterANestedObjectAreRead)
{
    const PublishAnswer a = read(R"({"error":{"detail":{"code":1},"code":400,"err_code":10054,"description":"too big"}})");
    EXPECT_FALSE(a.stored);
    EXPECT_EQ(a.js_code, 10054);
    EXPECT_EQ(a.text, "too big");
}

TEST(PublishAnswer, ErrorWithoutDescriptionSaysItsCodes)
{
    const PublishAnswer a = read(R"({"error":{"code":503,"err_code":10077}})");
    EXPECT_FALSE(a.stored);
    EXPECT_EQ(a.js_code, 10077);
    EXPECT_EQ(a.text, "JetStream error 503 (err_code 10077)");
}

TEST(PublishAnswer, FieldsNamedLikeOursInsideOtherObjectsAreIgnored)
{
    // "seq" and "duplicate" count only at the top; "description" only in "error".
    const PublishAnswer a = read(R"({"other":{"seq":1,"duplicate":true,"description":"x"}})");
    EXPECT_FALSE(a.stored);
    EXPECT_FALSE(a.duplicate);
    EXPECT_NE(a.text.find("not a JetStream publish acknowledgement"), std::string::npos) << a.text;
}

TEST(PublishAnswer, AnythingElseIsAnErrorThatShowsWhatCame)
{
    for (const std::string &body : {std::string(""), std::string("+OK"), std::string(R"({"stream":"jobs")"),
                                   std::string(R"({"stream":"jobs"})"), std::string("[1,2]"), std::string("\0\1", 2)}) {
        const PublishAnswer a = read(body);
        EXPECT_FALSE(a.stored) << body;
        EXPECT_EQ(a.error, NATS_ERR) << body;
        EXPECT_NE(a.text.find("not a JetStream publish acknowledgement"), std::string::npos) << a.text;
    }
}

TEST(PublishAnswer, ALongBodyIsShownCut)
{
    const PublishAnswer a = read(std::string(5000, 'x'));
    EXPECT_FALSE(a.stored);
    EXPECT_LT(a.text.size(), 300u);
}

TEST(DeliveryMeta, FirstForm)
{
    DeliveryMeta m;
    ASSERT_TRUE(read_delivery_meta("$JS.ACK.jobs.worker.1.42.17.1700000000000000000.5", m));
    EXPECT_EQ(m.times_delivered, 1u);
    EXPECT_EQ(m.stream_seq, 42u);
    EXPECT_EQ(m.delivery, 17u);
}

TEST(DeliveryMeta, SecondFormWithDomainHashAndTrailingToken)
{
    DeliveryMeta m;
    ASSERT_TRUE(read_delivery_meta("$JS.ACK.hub.ACCHASH.jobs.worker.3.18446744073709551615.9.1700000000000000000.0.r4nd0m", m));
    EXPECT_EQ(m.times_delivered, 3u);
    EXPECT_EQ(m.stream_seq, 18446744073709551615u);
    EXPECT_EQ(m.delivery, 9u);
    ASSERT_TRUE(read_delivery_meta("$JS.ACK._.ACCHASH.jobs.worker.2.5.6.1700000000000000000.0", m));
    EXPECT_EQ(m.times_delivered, 2u);
    EXPECT_EQ(m.stream_seq, 5u);
    EXPECT_EQ(m.delivery, 6u);
}

TEST(DeliveryMeta, RefusesWhatIsNotADelivery)
{
    DeliveryMeta m;
    for (const char *reply : {static_cast<const char *>(nullptr), "", "_INBOX.abc.def", "$JS.ACK.", "$JS.ACK.jobs.worker.1.42.17.1700",
                              "$JS.ACK.jobs.worker.1.42.17.1700.5.6", // 8 tokens: neither form
                              "$JS.ACK.jobs.worker.one.42.17.1700.5", "$JS.ACK.jobs.worker.1.-42.17.1700.5",
                              "$JS.ACK.jobs.worker.1.42.17.1700.", "$JS.ACK.jobs.worker.1.42x.17.1700.5",
                              "$JS.ACK.jobs.worker.1.99999999999999999999.17.1700.5", "$JS.NAK.jobs.worker.1.42.17.1700.5"})
        EXPECT_FALSE(read_delivery_meta(reply, m)) << (reply ? reply : "(null)");
}

} // namespace
} // namespace pmq_bridge
