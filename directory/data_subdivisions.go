package directory

// Subdivision kinds, as ISO 3166-2 names them.
const (
	SubdivisionState        = "state"
	SubdivisionDistrict     = "district"
	SubdivisionOutlyingArea = "outlying_area"
	SubdivisionProvince     = "province"
	SubdivisionTerritory    = "territory"
)

// subdivisionData is kept by hand: no library ships ISO 3166-2 names. It
// covers the countries whose sales taxes depend on the subdivision: the United
// States (50 states, the District of Columbia and the 6 outlying areas ISO
// 3166-2 lists) and Canada (10 provinces, 3 territories).
var subdivisionData = []struct {
	code, kind, en, ru string
}{
	{"US-AL", SubdivisionState, "Alabama", "Алабама"},
	{"US-AK", SubdivisionState, "Alaska", "Аляска"},
	{"US-AZ", SubdivisionState, "Arizona", "Аризона"},
	{"US-AR", SubdivisionState, "Arkansas", "Арканзас"},
	{"US-CA", SubdivisionState, "California", "Калифорния"},
	{"US-CO", SubdivisionState, "Colorado", "Колорадо"},
	{"US-CT", SubdivisionState, "Connecticut", "Коннектикут"},
	{"US-DE", SubdivisionState, "Delaware", "Делавэр"},
	{"US-FL", SubdivisionState, "Florida", "Флорида"},
	{"US-GA", SubdivisionState, "Georgia", "Джорджия"},
	{"US-HI", SubdivisionState, "Hawaii", "Гавайи"},
	{"US-ID", SubdivisionState, "Idaho", "Айдахо"},
	{"US-IL", SubdivisionState, "Illinois", "Иллинойс"},
	{"US-IN", SubdivisionState, "Indiana", "Индиана"},
	{"US-IA", SubdivisionState, "Iowa", "Айова"},
	{"US-KS", SubdivisionState, "Kansas", "Канзас"},
	{"US-KY", SubdivisionState, "Kentucky", "Кентукки"},
	{"US-LA", SubdivisionState, "Louisiana", "Луизиана"},
	{"US-ME", SubdivisionState, "Maine", "Мэн"},
	{"US-MD", SubdivisionState, "Maryland", "Мэриленд"},
	{"US-MA", SubdivisionState, "Massachusetts", "Массачусетс"},
	{"US-MI", SubdivisionState, "Michigan", "Мичиган"},
	{"US-MN", SubdivisionState, "Minnesota", "Миннесота"},
	{"US-MS", SubdivisionState, "Mississippi", "Миссисипи"},
	{"US-MO", SubdivisionState, "Missouri", "Миссури"},
	{"US-MT", SubdivisionState, "Montana", "Монтана"},
	{"US-NE", SubdivisionState, "Nebraska", "Небраска"},
	{"US-NV", SubdivisionState, "Nevada", "Невада"},
	{"US-NH", SubdivisionState, "New Hampshire", "Нью-Гэмпшир"},
	{"US-NJ", SubdivisionState, "New Jersey", "Нью-Джерси"},
	{"US-NM", SubdivisionState, "New Mexico", "Нью-Мексико"},
	{"US-NY", SubdivisionState, "New York", "Нью-Йорк"},
	{"US-NC", SubdivisionState, "North Carolina", "Северная Каролина"},
	{"US-ND", SubdivisionState, "North Dakota", "Северная Дакота"},
	{"US-OH", SubdivisionState, "Ohio", "Огайо"},
	{"US-OK", SubdivisionState, "Oklahoma", "Оклахома"},
	{"US-OR", SubdivisionState, "Oregon", "Орегон"},
	{"US-PA", SubdivisionState, "Pennsylvania", "Пенсильвания"},
	{"US-RI", SubdivisionState, "Rhode Island", "Род-Айленд"},
	{"US-SC", SubdivisionState, "South Carolina", "Южная Каролина"},
	{"US-SD", SubdivisionState, "South Dakota", "Южная Дакота"},
	{"US-TN", SubdivisionState, "Tennessee", "Теннесси"},
	{"US-TX", SubdivisionState, "Texas", "Техас"},
	{"US-UT", SubdivisionState, "Utah", "Юта"},
	{"US-VT", SubdivisionState, "Vermont", "Вермонт"},
	{"US-VA", SubdivisionState, "Virginia", "Виргиния"},
	{"US-WA", SubdivisionState, "Washington", "Вашингтон"},
	{"US-WV", SubdivisionState, "West Virginia", "Западная Виргиния"},
	{"US-WI", SubdivisionState, "Wisconsin", "Висконсин"},
	{"US-WY", SubdivisionState, "Wyoming", "Вайоминг"},
	{"US-DC", SubdivisionDistrict, "District of Columbia", "Округ Колумбия"},
	{"US-AS", SubdivisionOutlyingArea, "American Samoa", "Американское Самоа"},
	{"US-GU", SubdivisionOutlyingArea, "Guam", "Гуам"},
	{"US-MP", SubdivisionOutlyingArea, "Northern Mariana Islands", "Северные Марианские острова"},
	{"US-PR", SubdivisionOutlyingArea, "Puerto Rico", "Пуэрто-Рико"},
	{"US-UM", SubdivisionOutlyingArea, "United States Minor Outlying Islands", "Внешние малые острова США"},
	{"US-VI", SubdivisionOutlyingArea, "Virgin Islands, U.S.", "Виргинские острова (США)"},

	{"CA-AB", SubdivisionProvince, "Alberta", "Альберта"},
	{"CA-BC", SubdivisionProvince, "British Columbia", "Британская Колумбия"},
	{"CA-MB", SubdivisionProvince, "Manitoba", "Манитоба"},
	{"CA-NB", SubdivisionProvince, "New Brunswick", "Нью-Брансуик"},
	{"CA-NL", SubdivisionProvince, "Newfoundland and Labrador", "Ньюфаундленд и Лабрадор"},
	{"CA-NS", SubdivisionProvince, "Nova Scotia", "Новая Шотландия"},
	{"CA-ON", SubdivisionProvince, "Ontario", "Онтарио"},
	{"CA-PE", SubdivisionProvince, "Prince Edward Island", "Остров Принца Эдуарда"},
	{"CA-QC", SubdivisionProvince, "Quebec", "Квебек"},
	{"CA-SK", SubdivisionProvince, "Saskatchewan", "Саскачеван"},
	{"CA-NT", SubdivisionTerritory, "Northwest Territories", "Северо-Западные территории"},
	{"CA-NU", SubdivisionTerritory, "Nunavut", "Нунавут"},
	{"CA-YT", SubdivisionTerritory, "Yukon", "Юкон"},
}

// Subdivisions returns the subdivisions billkit seeds, in the order above
// (by country, then states before districts and territories).
func Subdivisions() []Subdivision {
	out := make([]Subdivision, 0, len(subdivisionData))
	for _, d := range subdivisionData {
		out = append(out, Subdivision{
			Code:    d.code,
			Country: d.code[:2],
			Kind:    d.kind,
			Name:    Text{"en": d.en, "ru": d.ru},
		})
	}
	return out
}
