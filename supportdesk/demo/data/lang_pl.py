# ruff: noqa: RUF001 - natural-language text: its punctuation is meant.
"""Polish demo conversations.

Polish past-tense verbs agree with the writer: «zamówiłem|zamówiłam» picks by the writer's gender.
Agents write as "we" (the team), as Polish support teams usually do, and address the customer
impersonally or as "Państwo". Product names are not declined, so they follow "urządzenie".
Placeholders as in lang_en.
"""

from __future__ import annotations

from datetime import date

LANGUAGE = "pl"
GREETING = "Dzień dobry,"
AGENT_SIGNOFF = "Pozdrawiam serdecznie,\n{agent}\nObsługa klienta Brightleaf"
CUSTOMER_SIGNOFFS = ("Pozdrawiam,\n{name}", "Z poważaniem,\n{name}", "Dziękuję i pozdrawiam,\n{first}")

COMMON: dict[str, tuple[str, ...]] = {
    "nudge": (
        "Czy jest coś nowego w tej sprawie?",
        "Dzień dobry, przypominam się w sprawie mojego zgłoszenia. Czy są już jakieś informacje?",
        "Nadal czekam na odpowiedź, proszę o sprawdzenie.",
    ),
    "ask_more": (
        "Prosimy o przesłanie zrzutu ekranu z komunikatem błędu, to pomoże nam szybciej ustalić przyczynę.",
        "Prosimy o potwierdzenie adresu e-mail lub numeru zamówienia, abyśmy mogli znaleźć właściwe konto.",
    ),
    "more_info": (
        "Proszę bardzo, opis jest też powyżej. Jeśli potrzebują Państwo czegoś jeszcze, proszę dać znać.",
        "Oczywiście, to ten sam numer zamówienia co w pierwszej wiadomości.",
    ),
    "holding": (
        "Dziękujemy, przekazaliśmy sprawę do odpowiedniego działu i odezwiemy się, gdy tylko "
        "otrzymamy odpowiedź.",
    ),
    "hold_note": ("Czekamy na odpowiedź strony trzeciej; zgłoszenie wstrzymane.",),
    "escalation_note": ("Przekazane inżynierom wraz z logami i krokami do odtworzenia.",),
    "share_note": ("Joanno, czy możesz potwierdzić ten zwrot w systemie finansowym?",),
    "collab_note": ("«Sprawdziłem|Sprawdziłam» w systemie finansowym: zwrot został dziś wysłany.",),
    "duplicate": (
        "«Pisałem|Pisałam» już w tej sprawie innym kanałem, ale nie «dostałem|dostałam» odpowiedzi. "
        "Proszę zajrzeć do mojej wcześniejszej wiadomości.",
    ),
}

SCENARIOS: dict[str, dict[str, str | tuple[str, ...]]] = {
    "password_reset": {
        "subjects": ("Nie mogę zresetować hasła", "Nie dochodzi e-mail do resetu hasła"),
        "opening": "Dzień dobry, dziś już trzy razy «próbowałem|próbowałam» zresetować hasło, ale "
        "wiadomość z linkiem w ogóle nie przychodzi. «Sprawdziłem|Sprawdziłam» też folder spam. Konto "
        "jest założone na ten adres e-mail. Czy mogą Państwo pomóc mi odzyskać dostęp?",
        "reply": "Dziękujemy za wiadomość. Widzimy, że dziś na koncie były trzy prośby o reset hasła; "
        "według naszych logów wiadomości zostały wysłane, ale serwer poczty odbiorcy je odroczył. "
        "Przed chwilą wysłaliśmy nowy link, ważny przez 60 minut. Jeśli nie dotrze w ciągu 10 minut, "
        "prosimy dać znać, a ustawimy hasło tymczasowe.",
        "followup": "Tym razem link dotarł i udało mi się ustawić nowe hasło. Wszystko działa, dziękuję!",
        "closing": "Cieszymy się, że dostęp do konta został przywrócony. Na przyszłość warto dodać nasz "
        "adres nadawcy do kontaktów, wtedy takie wiadomości dochodzą szybciej. Zamykamy zgłoszenie; w "
        "razie pytań wystarczy odpowiedzieć na tę wiadomość.",
        "note": "Logi poczty pokazują odroczenia 451 po stronie dostawcy klienta. Link wysłany ponownie "
        "ręcznie.",
    },
    "two_factor": {
        "subjects": (
            "Zgubiony telefon, nie mogę się zalogować (2FA)",
            "Kody weryfikacji dwuetapowej nie działają",
        ),
        "opening": "{date} ukradziono mi telefon razem z aplikacją uwierzytelniającą, więc nie mam jak "
        "wygenerować kodu do logowania. Kodów zapasowych też nie mam. Jak mogę odzyskać dostęp do "
        "konta?",
        "reply": "Bardzo nam przykro z powodu kradzieży telefonu. Ze względów bezpieczeństwa przed "
        "wyłączeniem weryfikacji dwuetapowej musimy potwierdzić tożsamość. Prosimy o podanie numeru "
        "ostatniego zamówienia oraz czterech ostatnich cyfr karty, którą zostało opłacone.",
        "followup": "Oczywiście: ostatnie zamówienie to {order}, opłacone kartą z końcówką {last4}.",
        "closing": "Dziękujemy, dane zgadzają się z naszymi. Weryfikacja dwuetapowa została wyłączona, "
        "więc można już zalogować się samym hasłem. Po zakupie nowego telefonu prosimy włączyć ją "
        "ponownie w Ustawienia > Bezpieczeństwo i zachować nowe kody zapasowe w bezpiecznym miejscu.",
        "note": "Tożsamość potwierdzona numerem zamówienia i końcówką karty. 2FA zresetowane.",
    },
    "change_email": {
        "subjects": ("Proszę o zmianę adresu e-mail na koncie", "Zmiana e-maila do logowania"),
        "opening": "Dzień dobry, «zmieniłem|zmieniłam» pracę i z końcem miesiąca stracę dostęp do tej "
        "skrzynki. Czy mogą Państwo przenieść moje konto na nowy, prywatny adres? W razie potrzeby "
        "potwierdzę zmianę z obu adresów.",
        "reply": "Oczywiście. Ze względów bezpieczeństwa przed zmianą wysyłamy link potwierdzający na "
        "nowy adres. Prosimy odesłać nowy adres i kliknąć w link, gdy tylko dotrze; historia zamówień "
        "i urządzenia pozostaną bez zmian.",
        "followup": "Nowy adres jest w stopce poniżej. Przed chwilą «kliknąłem|kliknęłam» w link "
        "potwierdzający.",
        "closing": "Dziękujemy, zmiana została potwierdzona i od teraz logowanie odbywa się przez nowy "
        "adres. Na stary adres nie będziemy już niczego wysyłać. Powodzenia w nowej pracy!",
        "note": "Przed zmianą potwierdzono dostęp do obu adresów.",
    },
    "double_charge": {
        "subjects": ("Podwójne obciążenie za zamówienie {order}", "Dwukrotnie pobrana płatność z karty"),
        "opening": "{date} «złożyłem|złożyłam» zamówienie {order}, a na wyciągu widzę dwa obciążenia po "
        "{amount}. «Zamawiałem|Zamawiałam» tylko raz. Proszę o zwrot drugiej płatności.",
        "reply": "Bardzo przepraszamy za kłopot. Sprawdziliśmy zamówienie {order}: po przekroczeniu "
        "czasu oczekiwania podczas płatności operator pobrał kwotę dwa razy. Przed chwilą zleciliśmy "
        "zwrot zdublowanej płatności w wysokości {amount}. W zależności od banku środki pojawią się na "
        "koncie w ciągu 3–5 dni roboczych.",
        "followup": "Dziękuję. W aplikacji banku już widzę zwrot jako oczekujący.",
        "closing": "Świetnie, w takim razie środki są w drodze. Zgłosiliśmy też problem operatorowi "
        "płatności, żeby się nie powtórzył. Jeszcze raz przepraszamy za zamieszanie.",
        "note": "Podwójne obciążenie potwierdzone w panelu operatora; zlecono zwrot drugiej transakcji.",
    },
    "refund_request": {
        "subjects": ("Zwrot pieniędzy za odesłane urządzenie {device}", "Kiedy otrzymam zwrot pieniędzy?"),
        "opening": "Dwa tygodnie temu «odesłałem|odesłałam» urządzenie {device} z zamówienia {order}; "
        "według śledzenia przesyłka dotarła do Państwa magazynu {date}. Do dziś nie "
        "«otrzymałem|otrzymałam» zwrotu {amount}. Czy mogą Państwo to sprawdzić?",
        "reply": "Dziękujemy za cierpliwość. Zwrot dotarł do magazynu {date}, a wczoraj przeszedł "
        "kontrolę. Dziś zleciliśmy zwrot {amount} na pierwotną metodę płatności; wkrótce przyjdzie "
        "e-mail z potwierdzeniem.",
        "followup": "Potwierdzenie przyszło. Ile potrwa, zanim pieniądze wrócą na kartę?",
        "closing": "Zwroty na kartę są zwykle widoczne w ciągu 3–5 dni roboczych, w niektórych bankach "
        "do 10 dni. Jeśli po tym czasie środków nie będzie, prosimy odpisać, a prześlemy numer "
        "referencyjny transakcji dla banku.",
        "note": "Zwrot sprawdzony bez zastrzeżeń; zlecono zwrot pieniędzy.",
    },
    "invoice_address": {
        "subjects": ("Błędny adres firmy na fakturze", "Prośba o korektę faktury {invoice}"),
        "opening": "Faktura {invoice} do zamówienia {order} zawiera nasz stary adres biura i nie ma "
        "numeru NIP. Księgowość nie może jej w tej formie zaksięgować. Czy mogą Państwo wystawić "
        "fakturę korygującą?",
        "reply": "Oczywiście. Prosimy o przesłanie poprawnych danych do faktury i numeru NIP dokładnie "
        "w takiej formie, w jakiej mają się znaleźć na dokumencie, a wystawimy korektę do faktury "
        "{invoice}.",
        "followup": "Dziękuję. Proszę użyć adresu ze stopki poniżej; NIP podaję pod adresem.",
        "closing": "Gotowe: faktura korygująca jest dostępna na koncie w zakładce Zamówienia > Faktury "
        "i zastępuje fakturę {invoice}. Kopię wysłaliśmy również e-mailem. Jeśli księgowość będzie "
        "potrzebować czegoś jeszcze, prosimy o kontakt.",
        "note": "Wystawiono fakturę korygującą; pierwotna anulowana w systemie.",
    },
    "cancel_subscription": {
        "subjects": ("Rezygnacja z subskrypcji Brightleaf Plus", "Jak wyłączyć comiesięczną płatność?"),
        "opening": "Proszę o anulowanie mojej subskrypcji Brightleaf Plus. Nie korzystam już z historii "
        "nagrań w chmurze i nie chcę, żeby w przyszłym miesiącu znowu pobrano {amount}.",
        "reply": "Chętnie pomożemy. Zanim anulujemy: subskrypcja odnawia się {date}, a po rezygnacji "
        "wszystkie funkcje działają do tego dnia. Czy anulować ją z końcem okresu rozliczeniowego, czy "
        "może lepiej sprawdzi się tańszy plan z 7-dniową historią?",
        "followup": "Proszę anulować z końcem okresu. Tańszy plan nie jest mi potrzebny.",
        "closing": "Gotowe. Subskrypcja wygaśnie {date} i kolejne płatności nie będą pobierane. "
        "Urządzenia działają dalej bez niej, wyłączona zostanie tylko historia nagrań w chmurze. "
        "Dziękujemy za dotychczasowe zaufanie, zawsze chętnie powitamy z powrotem.",
        "note": "Klient odrzucił ofertę utrzymaniową. Anulowano z końcem okresu.",
    },
    "payment_declined": {
        "subjects": ("Płatność odrzucona przy zamówieniu", "Karta jest ciągle odrzucana"),
        "opening": "Próbuję zapłacić za zamówienie, ale przy płatności ciągle pojawia się komunikat "
        '"płatność odrzucona". Bank twierdzi, że karta z końcówką {last4} jest w porządku. Co się '
        "dzieje?",
        "reply": "Dziękujemy za szczegóły. W logach płatności widać, że bank poprosił o potwierdzenie "
        "3-D Secure, ale okno potwierdzenia zostało zamknięte przed zakończeniem, więc płatność została "
        "odrzucona. Prosimy spróbować ponownie i zatwierdzić płatność w aplikacji banku, gdy pojawi się "
        "prośba. Czasem to okno ukrywa blokada wyskakujących okienek.",
        "followup": "To było to, okno zatwierdzenia schowało się za innym oknem. Teraz płatność przeszła.",
        "closing": "Świetnie, u nas zamówienie też jest już potwierdzone. Dziękujemy za informację i "
        "życzymy udanego korzystania z nowego urządzenia!",
        "note": "Weryfikacja 3DS przerwana (timeout). To nie problem z kartą.",
    },
    "late_delivery": {
        "subjects": ("Zamówienie {order} nie dotarło", "Gdzie jest moja paczka?"),
        "opening": "Moje zamówienie {order} miało dotrzeć {date}, ale wciąż go nie ma, a status "
        "przesyłki nie zmienił się od czterech dni. Czy mogą Państwo sprawdzić, gdzie jest paczka?",
        "reply": "Przepraszamy za opóźnienie. Skontaktowaliśmy się z przewoźnikiem: paczka (numer "
        "przesyłki {tracking}) utknęła w sortowni z powodu uszkodzonej etykiety. Została ponownie "
        "oznaczona i jest już w doręczeniu; nowy termin to maksymalnie dwa dni robocze.",
        "followup": 'Dziś nadal nic, a na stronie śledzenia pojawił się status "wyjątek". Czy jest się '
        "czym martwić?",
        "closing": "Sprawdziliśmy ponownie i przewoźnik potwierdza, że paczka została dziś rano "
        "doręczona do paczkomatu. Jeśli jej tam nie ma, prosimy dać znać, a od razu wyślemy nową.",
        "note": "Zgłoszono reklamację u przewoźnika, numer sprawy w zamówieniu.",
    },
    "damaged_package": {
        "subjects": ("Paczka dotarła uszkodzona", "Urządzenie {device} uszkodzone w transporcie"),
        "opening": "Karton z urządzeniem {device} (zamówienie {order}) dotarł zgnieciony, a urządzenie "
        "się nie włącza. «Zachowałem|Zachowałam» całe opakowanie. Co mam zrobić?",
        "reply": "Bardzo przepraszamy, że przesyłka dotarła w takim stanie. Nie trzeba niczego odsyłać "
        "przed otrzymaniem pomocy: utworzyliśmy zamówienie zastępcze, które wyjdzie z magazynu jeszcze "
        "dziś. Kurier przy doręczeniu nowego urządzenia odbierze uszkodzone, wystarczy przygotować "
        "opakowanie.",
        "followup": "Nowe urządzenie dotarło i działa bez zarzutu. Kurier zabrał uszkodzone.",
        "closing": "Dziękujemy za potwierdzenie. Zamknęliśmy po naszej stronie reklamację u przewoźnika. "
        "Miłego korzystania z urządzenia {device}!",
        "note": "Bezpłatnie wysłano urządzenie zastępcze; reklamacja szkody złożona u przewoźnika.",
    },
    "wrong_item": {
        "subjects": (
            "W paczce był niewłaściwy produkt",
            "Zamówione urządzenie {device}, a w paczce coś innego",
        ),
        "opening": "«Zamówiłem|Zamówiłam» urządzenie {device} (zamówienie {order}), ale w paczce był "
        "inny model. Jeśli to możliwe, potrzebuję urządzenia {device} jeszcze przed weekendem.",
        "reply": "Przepraszamy za pomyłkę. Dziś wysłaliśmy właściwe urządzenie {device} przesyłką "
        "ekspresową, numer przesyłki {tracking}. Na e-mail przyjdzie opłacona etykieta zwrotna dla "
        "błędnie wysłanego produktu; z odesłaniem nie trzeba się spieszyć.",
        "followup": "Urządzenie {device} dotarło dziś rano, dziękuję. Drugą paczkę nadam na poczcie w "
        "tym tygodniu.",
        "closing": "Wspaniale. Gdy zwrot pojawi się w systemie śledzenia, zamkniemy go po naszej "
        "stronie; nie trzeba robić nic więcej.",
        "note": "Błąd kompletacji w magazynie; zgłoszone do logistyki.",
    },
    "return_request": {
        "subjects": ("Jak zwrócić urządzenie {device}?", "Zwrot w ciągu 30 dni"),
        "opening": "{date} «kupiłem|kupiłam» urządzenie {device}, ale nie pasuje do mojej instalacji w "
        "domu. Jest nieużywane i w oryginalnym opakowaniu. Jak mogę je zwrócić?",
        "reply": "Nie ma problemu, to wciąż mieści się w 30-dniowym terminie zwrotu. Wysłaliśmy e-mailem op"
        "łaconą "
        "etykietę zwrotną: wystarczy ją wydrukować, nakleić na karton i nadać w dowolnej placówce "
        "pocztowej. Pieniądze zwrócimy, gdy tylko paczka dotrze do magazynu.",
        "followup": "Dziś «nadałem|nadałam» paczkę. Dziękuję, że wszystko poszło tak sprawnie.",
        "closing": "Dziękujemy! Będziemy śledzić zwrot, a kwota {amount} zostanie zwrócona "
        "automatycznie po jego dotarciu.",
        "note": "Utworzono numer RMA i etykietę zwrotną.",
    },
    "change_shipping_address": {
        "subjects": ("Zmiana adresu dostawy dla zamówienia {order}", "Błędny adres wysyłki"),
        "opening": "Właśnie «zauważyłem|zauważyłam», że w zamówieniu {order} «podałem|podałam» stary "
        "adres. Czy można zmienić go na nowy, zanim paczka zostanie wysłana? Nowy adres jest w stopce.",
        "reply": "Zdążyliśmy: zamówienie jeszcze nie opuściło magazynu. Zaktualizowaliśmy adres dostawy, "
        "a paczka zostanie wysłana jutro. Link do śledzenia przyjdzie e-mailem.",
        "followup": "Bardzo dziękuję, to oszczędza mi mnóstwo kłopotu.",
        "closing": "Cała przyjemność po naszej stronie. Wszystko gotowe do wysyłki na nowy adres. "
        "Miłego dnia!",
        "note": "Adres zmieniony przed kompletacją; magazyn poinformowany.",
    },
    "broken_device": {
        "subjects": ("Urządzenie {device} przestało działać", "Urządzenie {device} nie włącza się"),
        "opening": "Moje urządzenie {device} wczoraj przestało działać. Dioda mruga trzy razy na "
        "czerwono, a potem wszystko się wyłącza. «Sprawdziłem|Sprawdziłam» inny zasilacz i "
        "«zrobiłem|zrobiłam» reset, nic nie pomaga. «Kupiłem|Kupiłam» je {date}.",
        "reply": "Dziękujemy za dotychczasowe próby; trzy czerwone mignięcia oznaczają awarię płytki "
        "zasilania. Urządzenie jest na gwarancji, więc naprawimy je lub wymienimy bezpłatnie. "
        "Zamówiliśmy płytkę w centrum serwisowym i odezwiemy się, gdy tylko zostanie wysłana.",
        "followup": "Dziękuję. Czy jest coś nowego w sprawie naprawy? Bardzo brakuje mi urządzenia {device}.",
        "closing": "Dobra wiadomość: część dotarła, a naprawione urządzenie {device} zostało dziś "
        "wysłane, numer przesyłki {tracking}. Ustawienia zostaną przywrócone z chmury po ponownym "
        "zalogowaniu.",
        "note": "Czekamy na płytkę zasilania z centrum serwisowego.",
    },
    "app_crash": {
        "subjects": (
            "Aplikacja wyłącza się po ostatniej aktualizacji",
            "Aplikacja Brightleaf zamyka się zaraz po uruchomieniu",
        ),
        "opening": "Od wczorajszej aktualizacji aplikacja zamyka się zaraz po otwarciu. "
        "«Zrestartowałem|Zrestartowałam» telefon i «zainstalowałem|zainstalowałam» aplikację od nowa, "
        "ale dalej wyłącza się po ekranie powitalnym.",
        "reply": "Dziękujemy za zgłoszenie. Otrzymaliśmy kilka podobnych zgłoszeń z telefonów po "
        "najnowszej aktualizacji systemu, a nasi inżynierowie pracują nad poprawką. Do tego czasu "
        "urządzeniami można sterować w panelu internetowym. Damy znać, gdy tylko poprawiona wersja "
        "będzie dostępna.",
        "followup": "Dobrze, na razie panel internetowy działa. Proszę o informację, gdy poprawka się "
        "pojawi.",
        "closing": "Poprawiona wersja 4.12.1 jest już w sklepie z aplikacjami. Po aktualizacji "
        "aplikacja powinna znów uruchamiać się normalnie. Dziękujemy za cierpliwość i dokładny opis "
        "problemu.",
        "note": "Znany błąd, podpięty pod zgłoszenie inżynierów dotyczące awarii przy starcie.",
    },
    "device_pairing": {
        "subjects": (
            "Nie mogę sparować urządzenia {device} z aplikacją",
            "Nie da się dodać urządzenia {device}",
        ),
        "opening": "Próbuję dodać nowe urządzenie {device} w aplikacji, ale parowanie zawsze zatrzymuje "
        'się na 80% z komunikatem "nie znaleziono urządzenia". Pozostałe urządzenia działają normalnie.',
        "reply": "Spróbujmy to połączyć. Prosimy upewnić się, że telefon jest połączony z siecią Wi-Fi "
        "2,4 GHz (urządzenie nie obsługuje sieci 5 GHz), trzymać go najwyżej 2 metry od urządzenia i "
        "przytrzymać przycisk przez dziesięć sekund, aż dioda zacznie migać na niebiesko, a następnie "
        "ponownie rozpocząć parowanie.",
        "followup": "Przełączenie telefonu na sieć 2,4 GHz pomogło. Urządzenie {device} jest już "
        "widoczne w aplikacji.",
        "closing": "Doskonale! Wiele routerów nadaje obu sieciom tę samą nazwę, więc łatwo to przeoczyć. "
        "Miłego korzystania z nowego urządzenia.",
        "note": "Typowy problem z siecią 5 GHz; wysłano artykuł o parowaniu.",
    },
    "api_error": {
        "subjects": ("API zwraca błędy 500 dla /v2/devices", "Sporadyczne błędy 500 z API"),
        "opening": "Od około 09:00 UTC mniej więcej co piąte zapytanie z naszego backendu do endpointu "
        "devices kończy się błędem HTTP 500. U nas nic się nie zmieniło. Problem wpływa na panele "
        "naszych klientów.",
        "reply": "Dziękujemy za zgłoszenie i dokładne godziny. Potwierdziliśmy podwyższony poziom "
        "błędów na jednym z serwerów API i wyłączyliśmy go z ruchu. Liczba błędów powinna już wrócić do "
        "normy; czy mogą Państwo potwierdzić to po swojej stronie?",
        "followup": "Potwierdzam, od godziny nie ma żadnych błędów. Czy mogą Państwo napisać, co się stało?",
        "closing": "Zmiana konfiguracji na jednym serwerze API wyczerpała pulę połączeń z bazą danych. "
        "Wycofaliśmy ją i dodaliśmy alert na taką sytuację. Przepraszamy za utrudnienia; podsumowanie "
        "opublikujemy również na stronie statusu.",
        "note": "Zbieżne z porannym incydentem na serwerze API.",
    },
    "webhook_failing": {
        "subjects": ("Webhooki przestały docierać", "Dostarczanie webhooków kończy się przekroczeniem czasu"),
        "opening": "Nasz endpoint nie otrzymał żadnego zdarzenia webhook od {date}. W konsoli "
        "deweloperskiej dostarczenia są oznaczone jako nieudane z powodu przekroczenia czasu. Nasz "
        "serwer działa i jest osiągalny.",
        "reply": "Sprawdziliśmy log dostarczeń dla Państwa endpointu: nasze żądania są przerywane po 10 "
        "sekundach oczekiwania na odpowiedź. Endpoint musi w tym czasie odpowiedzieć statusem 2xx; "
        "jeśli przetwarzanie trwa dłużej, najlepiej najpierw potwierdzić odbiór, a zdarzenie przetworzyć "
        "w tle. Nieudane zdarzenia ponawiamy przez 72 godziny.",
        "followup": "Przenieśliśmy przetwarzanie do zadania w tle i dostarczenia znów działają. Czy "
        "pominięte zdarzenia zostaną wysłane?",
        "closing": "Tak: zleciliśmy ponowne dostarczenie wszystkich nieudanych zdarzeń od {date}, "
        "właśnie trafiają do Państwa endpointu. Po naszej stronie wszystko wygląda prawidłowo.",
        "note": "Czas odpowiedzi endpointu p95 ok. 14 s; zalecono przetwarzanie asynchroniczne.",
    },
    "product_compatibility": {
        "subjects": (
            "Czy urządzenie {device} współpracuje z żarówkami Zigbee?",
            "Pytanie o kompatybilność przed zakupem",
        ),
        "opening": "Zastanawiam się nad zakupem urządzenia {device}. Czy będzie działać z "
        "inteligentnymi żarówkami Zigbee, które już mam? Są innej marki, mają około trzech lat.",
        "reply": "Dobre pytanie! Urządzenie {device} współpracuje z większością żarówek w standardzie "
        "Zigbee 3.0, również tych od największych producentów. Prosimy o podanie marki i modelu "
        "żarówek, a sprawdzimy je na naszej liście kompatybilności.",
        "followup": "Na pudełku jest napisane Zigbee 3.0. Wygląda na to, że będą działać.",
        "closing": "Tak, żarówki Zigbee 3.0 są w pełni obsługiwane; można je dodać w aplikacji w menu "
        "Dodaj urządzenie > Inne marki. Przy zamówieniu w tym tygodniu dostawa jest bezpłatna.",
        "note": "Pytanie przedsprzedażowe; klient prawdopodobnie wkrótce zamówi.",
    },
    "feature_request": {
        "subjects": ("Propozycja funkcji: tryb urlopowy", "Czy mogą Państwo dodać tryb urlopowy?"),
        "opening": "Bardzo lubię aplikację, ale brakuje mi trybu urlopowego, który włączałby i wyłączał "
        "światła o losowych porach, gdy nie ma mnie w domu. Czy planują Państwo coś takiego?",
        "reply": "Dziękujemy za sugestię! Trybu urlopowego jeszcze nie ma, ale podobny efekt dadzą dwa "
        "harmonogramy, które włączają gniazdka o różnych porach każdego dnia. Przekazaliśmy pomysł "
        "zespołowi produktowemu; to jedna z najczęściej zgłaszanych funkcji.",
        "followup": "Dziękuję, na razie ustawię harmonogramy. Proszę dać znać, jeśli funkcja kiedyś "
        "powstanie.",
        "closing": "Oczywiście. Podpięliśmy zgłoszenie pod tę funkcję, więc damy znać, gdy będzie "
        "dostępna. Dziękujemy za pomoc w ulepszaniu Brightleaf!",
        "note": "Dodano głos do prośby o tryb urlopowy.",
    },
}

# Dates follow a verb or "od" ("since"), which take the genitive: "3 marca".
_MONTHS_GENITIVE = (
    "stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca",
    "lipca", "sierpnia", "września", "października", "listopada", "grudnia",
)  # fmt: skip


def format_date(day: date, *, year: bool = False) -> str:
    text = f"{day.day} {_MONTHS_GENITIVE[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def format_amount(usd: float) -> str:
    zloty = round(usd * 4)
    return f"{zloty:,}".replace(",", "\u00a0") + ",00\u00a0zł"
