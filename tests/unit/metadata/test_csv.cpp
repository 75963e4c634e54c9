// CSV/TSV parsing: RFC 4180 quoting, line endings, BOM, ragged rows, and line numbers.
#include <gtest/gtest.h>

#include <fstream>

#include "index/csv.h"
#include "support.h"

using namespace obia::index::csv;

TEST(Csv, PlainRowsAndLineNumbers) {
  auto t = parse("id,age\nA,1\nB,2\n", ',');
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->header, (std::vector<std::string>{"id", "age"}));
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[1], (std::vector<std::string>{"B", "2"}));
  EXPECT_EQ(t->lines, (std::vector<size_t>{2, 3}));
}

TEST(Csv, QuotedFieldsHoldDelimitersQuotesAndNewlines) {
  auto t = parse("id,note\r\n\"A,1\",\"say \"\"hi\"\"\"\r\nB,\"two\r\nlines\"\r\nC,\"\"\r\n", ',');
  ASSERT_TRUE(t.ok()) << t.error().message;
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_EQ(t->rows[0][0], "A,1");
  EXPECT_EQ(t->rows[0][1], "say \"hi\"");
  EXPECT_EQ(t->rows[1][1], "two\r\nlines");
  EXPECT_EQ(t->rows[2][1], "");
  EXPECT_EQ(t->lines, (std::vector<size_t>{2, 3, 5}));  // the quoted line break counts
}

TEST(Csv, NoFinalNewlineBlankLinesBomAndEmptyFields) {
  auto t = parse("\xEF\xBB\xBFid,a,b\n\n1,,\n\n2,x,", ',');
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->header[0], "id");
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0], (std::vector<std::string>{"1", "", ""}));
  EXPECT_EQ(t->rows[1], (std::vector<std::string>{"2", "x", ""}));
  EXPECT_EQ(t->lines, (std::vector<size_t>{3, 5}));
}

TEST(Csv, OldMacLineEndings) {
  auto t = parse("id,a\r1,2\r3,4", ',');
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->rows.size(), 2u);
}

TEST(Csv, Tsv) {
  auto t = parse("id\tnote\nA\ta, b\n", '\t');
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->rows[0][1], "a, b");
}

TEST(Csv, ErrorsNameTheLineNotTheContent) {
  auto ragged = parse("id,a\n1,2\nSECRET-ID,2,3\n", ',');
  ASSERT_FALSE(ragged.ok());
  EXPECT_NE(ragged.error().message.find("line 3"), std::string::npos);
  EXPECT_EQ(ragged.error().message.find("SECRET"), std::string::npos);
  auto unterminated = parse("id,a\n1,\"open\n2,3\n", ',');
  ASSERT_FALSE(unterminated.ok());
  EXPECT_NE(unterminated.error().message.find("line 2"), std::string::npos);
  auto after_quote = parse("id,a\n1,\"x\"y\n", ',');
  EXPECT_FALSE(after_quote.ok());
  auto stray = parse("id,a\n1,x\"y\n", ',');
  EXPECT_FALSE(stray.ok());
  EXPECT_FALSE(parse("", ',').ok());
  EXPECT_FALSE(parse("\n\n", ',').ok());
}

TEST(Csv, ColumnLookup) {
  auto t = parse("PatientID,Age,age2\n1,2,3\n", ',');
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->column("PatientID"), 0);
  EXPECT_EQ(t->column("patientid"), 0);
  EXPECT_EQ(t->column("AGE"), 1);
  EXPECT_EQ(t->column("nope"), -1);
  auto dup = parse("a,A\n1,2\n", ',');
  EXPECT_EQ(dup->column("a"), 0);   // exact wins
  EXPECT_EQ(dup->column("A"), 1);
  auto amb = parse("a,A\n1,2\n", ',');
  EXPECT_EQ(amb->column("a "), -1);
}

TEST(Csv, ReadFileChoosesTheDelimiter) {
  obia::testing::TempDir dir;
  std::ofstream(dir.path / "x.tsv") << "id\tv\n1\t2,3\n";
  std::ofstream(dir.path / "x.csv") << "id,v\n1,\"2\t3\"\n";
  std::ofstream(dir.path / "x.dat") << "id\tv\n1\t2\n";
  auto tsv = read_file(dir.path / "x.tsv");
  ASSERT_TRUE(tsv.ok());
  EXPECT_EQ(tsv->rows[0][1], "2,3");
  auto csv = read_file(dir.path / "x.csv");
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(csv->rows[0][1], "2\t3");
  auto dat = read_file(dir.path / "x.dat");
  ASSERT_TRUE(dat.ok());
  EXPECT_EQ(dat->header.size(), 2u);
  EXPECT_FALSE(read_file(dir.path / "missing.csv").ok());
}
