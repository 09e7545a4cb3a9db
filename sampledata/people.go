package sampledata

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Family names of Sơn La: Thái, Mông, Mường and Kinh families.
var familyNames = []string{
	"Lò", "Quàng", "Cầm", "Lường", "Tòng", "Vì", "Điêu", "Hà", "Lù", "Bạc",
	"Giàng", "Sùng", "Mùa", "Thào", "Vàng", "Lầu", "Hạng", "Đinh", "Bùi",
	"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Đặng", "Ngô",
}

var maleMiddle = []string{"Văn", "Văn", "A", "Đức", "Minh", "Quang", "Xuân"}
var femaleMiddle = []string{"Thị", "Thị", "Thị", "Ngọc", "Thu", "Hồng"}

var maleGiven = []string{
	"Dũng", "Hùng", "Chứ", "Sình", "Pàng", "Thành", "Tuấn", "Khánh", "Hải", "Phong",
	"Lâm", "Chính", "Dào", "Páo", "Tú", "Long", "Thắng", "Quyết", "Sơn", "Bình",
}

var femaleGiven = []string{
	"Lan", "Hoa", "Mai", "Xuân", "Ánh", "Pằng", "Mỷ", "Dung", "Hương", "Thảo",
	"Nga", "Nhung", "Yến", "Chở", "Sua", "Linh", "Hằng", "Phương", "Thơm", "Ngọc",
}

// person is a synthetic resident.
type person struct {
	Name, Gender, CCCD, Phone string
	BirthYear                 int
}

// birthProvinces are other provinces' CCCD prefixes (Hà Nội, Thanh Hóa,
// Điện Biên, Yên Bái, Phú Thọ, Lai Châu, Hòa Bình, Nam Định, Thái Bình).
var birthProvinces = []string{"001", "038", "011", "015", "025", "012", "017", "036", "034"}

func newPerson(r *rand.Rand, yearLo, yearHi int) person {
	p := person{BirthYear: between(r, yearLo, yearHi)}
	female := chance(r, 0.5)
	if female {
		p.Gender = "Nữ"
		p.Name = pick(r, familyNames) + " " + pick(r, femaleMiddle) + " " + pick(r, femaleGiven)
	} else {
		p.Gender = "Nam"
		p.Name = pick(r, familyNames) + " " + pick(r, maleMiddle) + " " + pick(r, maleGiven)
	}
	p.CCCD = cccd(r, p.BirthYear, female)
	p.Phone = phone(r)
	return p
}

// cccd is a 12-digit citizen id: birth province (014 for Sơn La, mostly),
// century-and-gender digit, two digits of the birth year, six random digits.
func cccd(r *rand.Rand, year int, female bool) string {
	prov := "014"
	if chance(r, 0.12) {
		prov = pick(r, birthProvinces)
	}
	g := 0
	if year >= 2000 {
		g = 2
	}
	if female {
		g++
	}
	return fmt.Sprintf("%s%d%02d%s", prov, g, year%100, digits(r, 6))
}

var phonePrefixes = []string{"091", "094", "088", "098", "097", "096", "086", "032", "033", "035", "038", "039", "070", "077", "081", "083", "085", "056", "058"}

// phone is a Vietnamese mobile number: 0 then 9 digits.
func phone(r *rand.Rand) string { return pick(r, phonePrefixes) + digits(r, 7) }

// ascii folds Vietnamese to ASCII letters ("Lò Văn Dũng" -> "lovandung").
func ascii(s string) string {
	var b strings.Builder
	for _, c := range norm.NFD.String(s) {
		switch {
		case c == 'đ' || c == 'Đ':
			b.WriteByte('d')
		case unicode.Is(unicode.Mn, c) || c == ' ':
		case c < 128:
			b.WriteRune(unicode.ToLower(c))
		}
	}
	return b.String()
}

var mailDomains = []string{"gmail.com", "gmail.com", "gmail.com", "yahoo.com", "sonla.gov.vn"}

func email(r *rand.Rand, name string) string {
	return fmt.Sprintf("%s%d@%s", ascii(name), between(r, 1, 999), pick(r, mailDomains))
}
