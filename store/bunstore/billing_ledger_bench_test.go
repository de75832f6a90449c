package bunstore_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// BenchmarkLedgerPost measures ledger postings through billing.Service.Post
// (client read, right check, atomic balance move, entry, action log, one
// transaction) beside a raw-SQL baseline that writes the same rows (the
// entry INSERT and the balance UPSERT in one transaction, plain
// database/sql) on the same database in the same run:
//
//	BILLKIT_TEST_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//		go test ./store/bunstore -run '^$' -bench LedgerPost -benchtime 2000x
//
// Each sub-benchmark reports postings/s; the parent logs the ratio.
func BenchmarkLedgerPost(b *testing.B) {
	b.Run("sqlite-memory", func(b *testing.B) { benchLedgerPost(b, storetest.NewMemory(b)) })
	b.Run("sqlite-file", func(b *testing.B) { benchLedgerPost(b, storetest.NewFile(b)) })
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv(storetest.PostgresDSNEnv) == "" {
			b.Skip(storetest.PostgresDSNEnv + " is not set")
		}
		benchLedgerPost(b, storetest.NewPostgres(b))
	})
}

func benchLedgerPost(b *testing.B, st *bunstore.Store) {
	ctx := context.Background()
	system := billkit.SystemActor("bench")
	dir := directory.NewService(st.Directory(), directory.Config{})
	if err := dir.Bootstrap(ctx, system); err != nil {
		b.Fatal(err)
	}
	svc := billing.NewService(st.Billing(), dir, billing.Config{})
	prov, err := svc.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "HostCo", Currency: "RUB", Locale: "ru", TimeZone: "UTC"})
	if err != nil {
		b.Fatal(err)
	}
	newClient := func(name string) billkit.ClientID {
		c, err := svc.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: prov.ID, Name: name})
		if err != nil {
			b.Fatal(err)
		}
		return c.ID
	}
	viaService, viaSQL := newClient("service"), newClient("raw")
	amount := billkit.MustParseMoney("1.00", "RUB")
	var service, raw float64

	b.Run("service", func(b *testing.B) {
		p := billing.PostParams{ClientID: viaService, Amount: amount, Kind: billing.LedgerPayment, CauseType: "payment", CauseID: "bench"}
		start := time.Now()
		for b.Loop() {
			if _, err := svc.Post(ctx, system, p); err != nil {
				b.Fatal(err)
			}
		}
		service = float64(b.N) / time.Since(start).Seconds()
		b.ReportMetric(service, "postings/s")
	})

	b.Run("raw-sql", func(b *testing.B) {
		db := st.DB().(*bun.DB).DB
		postgres := st.Dialect() == bunstore.DialectPostgres
		insertEntry := placeholders(postgres, `INSERT INTO billkit_ledger_entries
			(id, client_id, amount, currency, kind, cause_type, cause_id, memo, rate, actor_kind, actor_id, created_at, balance_after)
			VALUES (?, ?, ?, 'RUB', 'payment', 'payment', 'bench', '', NULL, 'system', 'bench', ?, ?)`)
		upsertBalance := placeholders(postgres, `INSERT INTO billkit_client_balances (client_id, currency, balance, entries, updated_at)
			VALUES (?, 'RUB', ?, 1, ?) ON CONFLICT (client_id) DO UPDATE
			SET balance = excluded.balance, entries = billkit_client_balances.entries + 1, updated_at = excluded.updated_at`)
		client := viaSQL.String()
		balance := decimal.Zero
		start := time.Now()
		for b.Loop() {
			balance = balance.Add(amount.Amount())
			now := time.Now().UTC().Format("2006-01-02 15:04:05.999999-07:00")
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, insertEntry, billkit.NewID[billing.LedgerEntry]().String(), client, "1.00", now, balance.String()); err != nil {
				b.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, upsertBalance, client, balance.String(), now); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		raw = float64(b.N) / time.Since(start).Seconds()
		b.ReportMetric(raw, "postings/s")
	})
	if service > 0 && raw > 0 {
		b.Logf("service %.0f postings/s, raw SQL %.0f postings/s, ratio %.2f", service, raw, service/raw)
	}
}

// placeholders numbers ? as $1, $2, ... for PostgreSQL.
func placeholders(postgres bool, q string) string {
	if !postgres {
		return q
	}
	var out strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			out.WriteString("$" + strconv.Itoa(n))
			continue
		}
		out.WriteRune(r)
	}
	return out.String()
}
