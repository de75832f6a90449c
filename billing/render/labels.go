package render

import "strings"

// Labels are a document's fixed words in one language, by key ("due_date":
// "Due date"). Templates reach them as {{.Labels.due_date}}.
type Labels map[string]string

// labels are the built-in languages. English is the fallback of every
// key, so a language may leave some out.
var labels = map[string]Labels{
	"en": {
		"proforma":       "Proforma invoice",
		"invoice":        "Invoice",
		"credit_note":    "Credit note",
		"receipt":        "Receipt",
		"draft":          "Draft",
		"number":         "No.",
		"issue_date":     "Date of issue",
		"due_date":       "Due date",
		"seller":         "Seller",
		"buyer":          "Buyer",
		"tax_id":         "Tax ID",
		"bank":           "Bank",
		"account":        "Account",
		"iban":           "IBAN",
		"bic":            "BIC",
		"position":       "#",
		"description":    "Description",
		"quantity":       "Qty",
		"unit_price":     "Unit price",
		"net":            "Net",
		"rate":           "Rate",
		"tax":            "Tax",
		"gross":          "Total",
		"tax_summary":    "Taxes",
		"base":           "Base",
		"amount":         "Amount",
		"total_net":      "Total net",
		"total_tax":      "Total tax",
		"total_gross":    "Total",
		"paid":           "Paid",
		"credited":       "Credited",
		"amount_due":     "Amount due",
		"credits":        "Corrects invoice %s",
		"reverse_charge": "Reverse charge: the buyer accounts for the VAT.",
		"exempt":         "Exempt from tax.",
		"no_tax":         "—",
		"memo":           "Note",
		"status_void":    "VOID",
		"status_paid":    "PAID",
	},
	"ru": {
		"proforma":       "Счёт на оплату",
		"invoice":        "Счёт",
		"credit_note":    "Корректировочный счёт",
		"receipt":        "Квитанция",
		"draft":          "Черновик",
		"number":         "№",
		"issue_date":     "Дата",
		"due_date":       "Оплатить до",
		"seller":         "Продавец",
		"buyer":          "Покупатель",
		"tax_id":         "ИНН",
		"bank":           "Банк",
		"account":        "Р/с",
		"iban":           "IBAN",
		"bic":            "БИК",
		"position":       "№",
		"description":    "Наименование",
		"quantity":       "Кол-во",
		"unit_price":     "Цена",
		"net":            "Без налога",
		"rate":           "Ставка",
		"tax":            "Налог",
		"gross":          "Всего",
		"tax_summary":    "Налоги",
		"base":           "База",
		"amount":         "Сумма",
		"total_net":      "Итого без налога",
		"total_tax":      "Итого налог",
		"total_gross":    "Итого",
		"paid":           "Оплачено",
		"credited":       "Скорректировано",
		"amount_due":     "К оплате",
		"credits":        "Корректировка счёта %s",
		"reverse_charge": "Обратное начисление: НДС уплачивает покупатель.",
		"exempt":         "Освобождено от налога.",
		"no_tax":         "—",
		"memo":           "Примечание",
		"status_void":    "АННУЛИРОВАН",
		"status_paid":    "ОПЛАЧЕН",
	},
}

// Languages lists the languages with built-in labels.
func Languages() []string { return []string{"en", "ru"} }

// language returns the built-in language of a locale ("ru-RU" is "ru"),
// English when there is none.
func language(locale string) string {
	l := strings.ToLower(locale)
	if i := strings.IndexAny(l, "-_"); i > 0 {
		l = l[:i]
	}
	if _, ok := labels[l]; ok {
		return l
	}
	return "en"
}

// labelsFor returns the labels of a locale, every key filled in.
func labelsFor(locale string) Labels {
	out := Labels{}
	for k, v := range labels["en"] {
		out[k] = v
	}
	for k, v := range labels[language(locale)] {
		out[k] = v
	}
	return out
}
