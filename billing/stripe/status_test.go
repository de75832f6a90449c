package stripe

import (
	"testing"

	"github.com/billkit/billkit/billing"
	stripego "github.com/stripe/stripe-go/v85"
)

func TestIntentStatuses(t *testing.T) {
	declined := &stripego.Error{Msg: "Your card was declined.", Code: "card_declined", DeclineCode: "generic_decline"}
	for _, c := range []struct {
		pi   stripego.PaymentIntent
		want billing.PaymentStatus
	}{
		{stripego.PaymentIntent{Status: stripego.PaymentIntentStatusSucceeded}, billing.PaymentPaid},
		{stripego.PaymentIntent{Status: stripego.PaymentIntentStatusProcessing}, billing.PaymentPending},
		{stripego.PaymentIntent{Status: stripego.PaymentIntentStatusRequiresAction}, billing.PaymentPending},
		{stripego.PaymentIntent{Status: stripego.PaymentIntentStatusRequiresConfirmation}, billing.PaymentPending},
		{stripego.PaymentIntent{Status: stripego.PaymentIntentStatusRequiresCapture}, billing.PaymentPending},
		{stripego.PaymentIntent{Status: stripego.PaymentIntentStatusRequiresPaymentMethod}, billing.PaymentPending},
		{stripego.PaymentIntent{Status: stripego.PaymentIntentStatusRequiresPaymentMethod, LastPaymentError: declined}, billing.PaymentFailed},
		{stripego.PaymentIntent{Status: stripego.PaymentIntentStatusCanceled}, billing.PaymentCancelled},
		{stripego.PaymentIntent{Status: stripego.PaymentIntentStatusSucceeded,
			LatestCharge: &stripego.Charge{Amount: 1000, AmountRefunded: 400, Currency: "usd"}}, billing.PaymentPartlyRefunded},
		{stripego.PaymentIntent{Status: stripego.PaymentIntentStatusSucceeded,
			LatestCharge: &stripego.Charge{Amount: 1000, AmountRefunded: 1000, Refunded: true, Currency: "usd"}}, billing.PaymentRefunded},
	} {
		c.pi.ID, c.pi.Amount, c.pi.Currency = "pi_1", 1000, "usd"
		rep, err := intentReport(&c.pi, true)
		if err != nil || rep.Status != c.want || rep.GatewayPaymentID != "pi_1" {
			t.Errorf("%s: report %+v, %v; want %s", c.pi.Status, rep, err, c.want)
		}
		if c.want == billing.PaymentFailed && rep.Message != "Your card was declined. (card_declined, generic_decline)" {
			t.Errorf("Message = %q", rep.Message)
		}
	}
}

func TestMethodLabel(t *testing.T) {
	for _, c := range []struct {
		pm   stripego.PaymentMethod
		want string
	}{
		{stripego.PaymentMethod{Type: "card", Card: &stripego.PaymentMethodCard{Brand: "visa", Last4: "4242"}}, "Visa •••• 4242"},
		{stripego.PaymentMethod{Type: "card", Card: &stripego.PaymentMethodCard{Brand: "amex", DisplayBrand: "american_express", Last4: "0005"}}, "American Express •••• 0005"},
		{stripego.PaymentMethod{Type: "card", Card: &stripego.PaymentMethodCard{Brand: "newbrand", Last4: "1111"}}, "Newbrand •••• 1111"},
		{stripego.PaymentMethod{Type: "sepa_debit", SEPADebit: &stripego.PaymentMethodSEPADebit{Last4: "3000"}}, "SEPA Direct Debit •••• 3000"},
		{stripego.PaymentMethod{Type: "us_bank_account"}, "Us bank account"},
	} {
		if got := methodLabel(&c.pm); got != c.want {
			t.Errorf("methodLabel = %q, want %q", got, c.want)
		}
	}
}
