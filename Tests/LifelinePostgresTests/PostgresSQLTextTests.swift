import Foundation
import Testing

@testable import LifelinePostgres

struct PostgresSQLTextTests {
    @Test func placeholdersAreNumberedOutsideQuotesAndComments() {
        #expect(PostgresSQLText.numberingPlaceholders("SELECT ? + ?, '?', \"a?\" -- ?\n, ?") == "SELECT $1 + $2, '?', \"a?\" -- ?\n, $3")
        #expect(PostgresSQLText.numberingPlaceholders("WHERE a = ?2 AND b = ?1 OR c = ?12") == "WHERE a = $2 AND b = $1 OR c = $12")
        #expect(PostgresSQLText.numberingPlaceholders("SELECT 'it''s ?' || ?") == "SELECT 'it''s ?' || $1")
        #expect(PostgresSQLText.numberingPlaceholders("LIMIT ?") == "LIMIT $1")
    }

    @Test func scriptsSplitAtSemicolonsButNotInsideBodies() {
        let script = """
            CREATE TABLE a (x TEXT DEFAULT ';');
            -- a comment; with a semicolon
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'no; never';
            END;
            $$;
            /* block; comment */
            """
        let statements = PostgresSQLText.statements(script)
        #expect(statements.count == 2)
        #expect(statements[0].contains("DEFAULT ';'"))
        #expect(statements[1].contains("END;\n$$"))
    }
}
