// Names and places for the drill's customers: our own lists (no third-party name data), with
// non-ASCII names, 24 countries and every US state plus DC.
#include "drill/internal.h"

namespace tq::drill {

const std::vector<Country>& Countries() {
  static const std::vector<Country> k = {
      {"US", "United States", "+1", 30, {}, {}},
      {"DE", "Germany", "+49", 9, {}, {"Berlin", "München", "Köln", "Hamburg", "Düsseldorf", "Leipzig"}},
      {"GB", "United Kingdom", "+44", 8, {}, {"London", "Manchester", "Leeds", "Bristol", "Glasgow"}},
      {"FR", "France", "+33", 6, {}, {"Paris", "Lyon", "Marseille", "Toulouse", "Nantes"}},
      {"CA", "Canada", "+1", 5, {"ON", "QC", "BC", "AB", "MB", "NS"}, {"Toronto", "Montréal", "Vancouver", "Calgary", "Winnipeg", "Halifax"}},
      {"NL", "Netherlands", "+31", 4, {}, {"Amsterdam", "Rotterdam", "Utrecht", "Den Haag"}},
      {"ES", "Spain", "+34", 4, {}, {"Madrid", "Barcelona", "Sevilla", "Valencia", "Málaga"}},
      {"IT", "Italy", "+39", 4, {}, {"Roma", "Milano", "Napoli", "Torino", "Firenze"}},
      {"AU", "Australia", "+61", 3, {"NSW", "VIC", "QLD", "WA", "SA"}, {"Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide"}},
      {"AT", "Austria", "+43", 3, {}, {"Wien", "Graz", "Linz", "Salzburg"}},
      {"CH", "Switzerland", "+41", 2, {}, {"Zürich", "Genève", "Basel", "Bern"}},
      {"BE", "Belgium", "+32", 2, {}, {"Bruxelles", "Antwerpen", "Gent", "Liège"}},
      {"SE", "Sweden", "+46", 2, {}, {"Stockholm", "Göteborg", "Malmö", "Uppsala"}},
      {"DK", "Denmark", "+45", 2, {}, {"København", "Aarhus", "Odense"}},
      {"NO", "Norway", "+47", 1, {}, {"Oslo", "Bergen", "Trondheim"}},
      {"FI", "Finland", "+358", 1, {}, {"Helsinki", "Espoo", "Tampere"}},
      {"PL", "Poland", "+48", 2, {}, {"Warszawa", "Kraków", "Łódź", "Wrocław", "Gdańsk"}},
      {"CZ", "Czechia", "+420", 1, {}, {"Praha", "Brno", "Ostrava"}},
      {"IE", "Ireland", "+353", 1, {}, {"Dublin", "Cork", "Galway"}},
      {"PT", "Portugal", "+351", 1, {}, {"Lisboa", "Porto", "Braga"}},
      {"BR", "Brazil", "+55", 2, {"SP", "RJ", "MG", "RS"}, {"São Paulo", "Rio de Janeiro", "Belo Horizonte", "Porto Alegre"}},
      {"MX", "Mexico", "+52", 1, {"CMX", "JAL", "NLE"}, {"Ciudad de México", "Guadalajara", "Monterrey"}},
      {"JP", "Japan", "+81", 1, {}, {"Tokyo", "Osaka", "Kyoto", "Sapporo"}},
      {"NZ", "New Zealand", "+64", 1, {}, {"Auckland", "Wellington", "Christchurch"}},
      {"TR", "Turkey", "+90", 1, {}, {"İstanbul", "Ankara", "İzmir"}},
  };
  return k;
}

const std::vector<UsState>& UsStates() {
  static const std::vector<UsState> k = {
      {"AL", "Alabama", "Birmingham", "352"},      {"AK", "Alaska", "Anchorage", "995"},
      {"AZ", "Arizona", "Phoenix", "850"},         {"AR", "Arkansas", "Little Rock", "722"},
      {"CA", "California", "Los Angeles", "900"},  {"CO", "Colorado", "Denver", "802"},
      {"CT", "Connecticut", "Hartford", "061"},    {"DE", "Delaware", "Wilmington", "198"},
      {"DC", "District of Columbia", "Washington", "200"},
      {"FL", "Florida", "Miami", "331"},           {"GA", "Georgia", "Atlanta", "303"},
      {"HI", "Hawaii", "Honolulu", "968"},         {"ID", "Idaho", "Boise", "837"},
      {"IL", "Illinois", "Chicago", "606"},        {"IN", "Indiana", "Indianapolis", "462"},
      {"IA", "Iowa", "Des Moines", "503"},         {"KS", "Kansas", "Wichita", "672"},
      {"KY", "Kentucky", "Louisville", "402"},     {"LA", "Louisiana", "New Orleans", "701"},
      {"ME", "Maine", "Portland", "041"},          {"MD", "Maryland", "Baltimore", "212"},
      {"MA", "Massachusetts", "Boston", "021"},    {"MI", "Michigan", "Detroit", "482"},
      {"MN", "Minnesota", "Minneapolis", "554"},   {"MS", "Mississippi", "Jackson", "392"},
      {"MO", "Missouri", "Kansas City", "641"},    {"MT", "Montana", "Billings", "591"},
      {"NE", "Nebraska", "Omaha", "681"},          {"NV", "Nevada", "Las Vegas", "891"},
      {"NH", "New Hampshire", "Manchester", "031"}, {"NJ", "New Jersey", "Newark", "071"},
      {"NM", "New Mexico", "Albuquerque", "871"},  {"NY", "New York", "New York", "100"},
      {"NC", "North Carolina", "Charlotte", "282"}, {"ND", "North Dakota", "Fargo", "581"},
      {"OH", "Ohio", "Columbus", "432"},           {"OK", "Oklahoma", "Oklahoma City", "731"},
      {"OR", "Oregon", "Portland", "972"},         {"PA", "Pennsylvania", "Philadelphia", "191"},
      {"RI", "Rhode Island", "Providence", "029"}, {"SC", "South Carolina", "Charleston", "294"},
      {"SD", "South Dakota", "Sioux Falls", "571"}, {"TN", "Tennessee", "Nashville", "372"},
      {"TX", "Texas", "Houston", "770"},           {"UT", "Utah", "Salt Lake City", "841"},
      {"VT", "Vermont", "Burlington", "054"},      {"VA", "Virginia", "Richmond", "232"},
      {"WA", "Washington", "Seattle", "981"},      {"WV", "West Virginia", "Charleston", "253"},
      {"WI", "Wisconsin", "Milwaukee", "532"},     {"WY", "Wyoming", "Cheyenne", "820"},
  };
  return k;
}

namespace {
using Names = std::vector<const char*>;
const Names kFirstEn = {"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael",
                        "Linda", "David", "Elizabeth", "William", "Barbara", "Richard", "Susan",
                        "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Daniel",
                        "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Sandra",
                        "Steven", "Ashley", "Andrew", "Emily", "Joshua", "Michelle", "Kevin",
                        "Amanda", "Brian", "Melissa", "Deshawn", "Keisha", "Aaliyah", "Tyrone",
                        "Olivia", "Liam", "Noah", "Emma", "Ava", "Sophia", "Mia", "Ethan",
                        "Siobhán", "Seán", "Zoë", "Chloé", "Renée", "José", "María", "Priya",
                        "Wei", "Mei", "Hiroshi", "Nguyễn", "Oluwaseun", "Chidi", "Fatima"};
const Names kLastEn = {"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller",
                       "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez",
                       "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
                       "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
                       "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
                       "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
                       "O'Brien", "O'Connor", "McDonald", "Núñez", "Peña", "Ibáñez", "Kowalski",
                       "Patel", "Chen", "Kim", "Okafor", "D'Angelo", "St. John", "Smith-Jones"};
const Names kFirstDe = {"Lukas", "Leon", "Maximilian", "Felix", "Jonas", "Paul", "Elias",
                        "Hannah", "Lena", "Lea", "Sophie", "Marie", "Anna", "Jürgen", "Günter",
                        "Jörg", "Björn", "Sören", "Käthe", "Bärbel", "Dörte", "Renate",
                        "Ursula", "Klaus", "Wolfgang", "Stefan", "Sabine", "Katrin", "Heike"};
const Names kLastDe = {"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
                       "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter",
                       "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
                       "Krüger", "Hofmann", "Hartmann", "Lange", "Weiß", "Größer", "Köhler",
                       "von Bülow", "Österreicher", "Gruber", "Huber", "Pichler"};
const Names kFirstFr = {"Lucas", "Hugo", "Louis", "Gabriel", "Léo", "Jules", "Raphaël",
                        "Emma", "Jade", "Louise", "Alice", "Chloé", "Léa", "Inès", "Zoé",
                        "Maëlle", "Anaïs", "Hélène", "François", "Jérôme", "Stéphane", "Benoît",
                        "Thérèse", "Céline", "Aurélie", "Noël", "Loïc"};
const Names kLastFr = {"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit",
                       "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel",
                       "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
                       "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet",
                       "François", "Martínez", "Peeters", "Janssens", "Maes", "Van den Berg"};
const Names kFirstSouth = {"Alejandro", "Pablo", "Álvaro", "Lucía", "Martina", "Sofía", "Paula",
                           "Daniela", "Javier", "Sergio", "Giulia", "Francesco", "Alessandro",
                           "Chiara", "Matteo", "Lorenzo", "Beatriz", "João", "Inês", "Gonçalo",
                           "Ana", "Mariana", "Thiago", "Guilherme", "Ximena", "Iñaki", "Ángel"};
const Names kLastSouth = {"García", "Fernández", "González", "Rodríguez", "López", "Martínez",
                          "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Rossi",
                          "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo",
                          "Ricci", "Silva", "Santos", "Ferreira", "Pereira", "Oliveira",
                          "Costa", "Gonçalves", "Conceição", "Araújo", "Muñoz", "De Luca"};
const Names kFirstNordic = {"Erik", "Lars", "Anders", "Johan", "Mikael", "Åsa", "Linnéa",
                            "Ingrid", "Sigrid", "Astrid", "Søren", "Mette", "Freja", "Jens",
                            "Kristian", "Øystein", "Bjørn", "Aino", "Eero", "Jukka", "Päivi",
                            "Jan", "Pieter", "Sanne", "Daan", "Femke", "Anouk", "Thijs"};
const Names kLastNordic = {"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson",
                           "Larsson", "Jensen", "Nielsen", "Hansen", "Pedersen", "Sørensen",
                           "Hansen", "Johansen", "Olsen", "Virtanen", "Korhonen", "Mäkinen",
                           "Nieminen", "Hämäläinen", "de Jong", "Jansen", "de Vries",
                           "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "Ågren", "Ødegård"};
const Names kFirstEast = {"Jakub", "Kacper", "Szymon", "Zuzanna", "Julia", "Maja", "Łukasz",
                          "Michał", "Paweł", "Agnieszka", "Małgorzata", "Jiří", "Tomáš",
                          "Petra", "Lucie", "Tereza", "Ondřej", "Mehmet", "Ayşe", "Emre",
                          "Zeynep", "Elif", "Çağla", "Gökhan", "Yusuf", "Şule", "İbrahim"};
const Names kLastEast = {"Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński",
                         "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski",
                         "Novák", "Svoboda", "Novotný", "Dvořák", "Černý", "Procházka",
                         "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk",
                         "Aydın", "Özdemir", "Arslan", "Doğan", "Kılıç"};
const Names kFirstJa = {"Haruto", "Yuto", "Sota", "Yui", "Hina", "Aoi", "Sakura", "Ren",
                        "Kenji", "Takeshi", "Yuki", "Akira", "Naoko", "Emi", "翔太", "陽菜",
                        "さくら", "大輝"};
const Names kLastJa = {"Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto",
                       "Nakamura", "Kobayashi", "Kato", "佐藤", "鈴木", "高橋", "田中"};
}  // namespace

static int Group(std::string_view c) {
  if (c == "DE" || c == "AT" || c == "CH") return 1;
  if (c == "FR" || c == "BE") return 2;
  if (c == "ES" || c == "IT" || c == "PT" || c == "BR" || c == "MX") return 3;
  if (c == "SE" || c == "DK" || c == "NO" || c == "FI" || c == "NL") return 4;
  if (c == "PL" || c == "CZ" || c == "TR") return 5;
  if (c == "JP") return 6;
  return 0;
}

const std::vector<const char*>& FirstNames(std::string_view country) {
  static const Names* k[] = {&kFirstEn,     &kFirstDe,   &kFirstFr, &kFirstSouth,
                             &kFirstNordic, &kFirstEast, &kFirstJa};
  return *k[Group(country)];
}

const std::vector<const char*>& LastNames(std::string_view country) {
  static const Names* k[] = {&kLastEn,     &kLastDe,   &kLastFr, &kLastSouth,
                             &kLastNordic, &kLastEast, &kLastJa};
  return *k[Group(country)];
}

const std::vector<const char*>& StreetNames() {
  static const Names k = {"Main Street", "Oak Avenue", "Maple Drive", "Cedar Lane", "Elm Street",
                          "Park Road", "High Street", "Church Lane", "Station Road", "Mill Road",
                          "Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße",
                          "Rue de la Paix", "Avenue Victor Hugo", "Calle Mayor", "Via Roma",
                          "Rua Augusta", "Kungsgatan", "Strandvejen", "ulica Długa",
                          "Náměstí Míru", "Atatürk Caddesi", "Queen Street", "King's Road"};
  return k;
}

const std::vector<const char*>& EmailDomains() {
  static const Names k = {"gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com",
                          "hotmail.com", "icloud.com", "gmx.de", "web.de", "t-online.de",
                          "orange.fr", "free.fr", "libero.it", "btinternet.com", "proton.me",
                          "aol.com", "comcast.net", "wp.pl", "seznam.cz", "live.nl"};
  return k;
}

}  // namespace tq::drill
