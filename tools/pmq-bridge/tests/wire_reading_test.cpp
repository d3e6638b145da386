// What the bridge reads off the wire itself instead of through cnats's
// allocating helpers: JetStream's answers to publishes (export). Every form
// nats-server sends, and what it must not take for one.
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
                         Case{R"({"stream":"jobs","seq":1,"duplicate": tru})", false, false}}) {
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

} // namespace
} // namespace pmq_bridge
