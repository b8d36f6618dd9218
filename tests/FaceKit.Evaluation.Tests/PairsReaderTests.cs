using FaceKit.Core.Errors;
using FaceKit.Evaluation.Pairs;
using FaceKit.Testing;

namespace FaceKit.Evaluation.Tests;

public class PairsReaderTests
{
    [SharedDataFact]
    public void LfwPairs_DevTestView1_Has500SameThen500DifferentInTenBalancedFolds()
    {
        var list = LfwPairs.Read(SharedData.Path("lfw-devtest", "pairsDevTest.txt"), SharedData.Path("lfw-devtest", "images"));

        Assert.Equal(1000, list.Pairs.Count);
        Assert.Equal(500, list.GenuineCount);
        Assert.True(list.Pairs.Take(500).All(p => p.Same) && list.Pairs.Skip(500).All(p => !p.Same));
        Assert.Equal(FoldOrigin.BalancedContiguous, list.FoldOrigin);
        Assert.Equal(10, list.FoldCount);
        foreach (var fold in list.Pairs.GroupBy(p => p.Fold))
        {
            Assert.Equal(50, fold.Count(p => p.Same));
            Assert.Equal(50, fold.Count(p => !p.Same));
        }
        Assert.Equal(SharedData.Path("lfw-devtest", "images", "Abdullah_Gul", "Abdullah_Gul_0013.jpg"), list.Pairs[0].PathA);
        Assert.Equal(1549, list.DistinctImages().Count);
        Assert.All(list.DistinctImages(), p => Assert.True(File.Exists(p), p));
    }

    [Fact]
    public void LfwPairs_View2Header_TakesFoldsFromTheFile()
    {
        using var dir = new TempDirectory();
        File.WriteAllLines(dir.File("pairs.txt"),
        [
            "2\t1",
            "Ann\t1\t2", "Ann\t1\tBob\t3",
            "Cid\t2\t4", "Bob\t1\tCid\t12",
        ]);

        var list = LfwPairs.Read(dir.File("pairs.txt"), "/root");

        Assert.Equal(FoldOrigin.File, list.FoldOrigin);
        Assert.Equal([0, 0, 1, 1], list.Pairs.Select(p => p.Fold));
        Assert.Equal([true, false, true, false], list.Pairs.Select(p => p.Same));
        Assert.Equal(Path.Combine("/root", "Cid", "Cid_0012.jpg"), list.Pairs[3].PathB);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("2\nAnn 1 2\nAnn 1 Bob 2")]           // promises 4 pairs
    [InlineData("1\nAnn 1 Bob 2\nAnn 1 2")]           // different pair where a same pair belongs
    public void LfwPairs_Malformed_IsBadInput(string content)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("p.txt"), content);
        var e = Assert.Throws<FaceKitException>(() => LfwPairs.Read(dir.File("p.txt"), "/root"));
        Assert.Equal(ErrorCode.BadInput, e.Code);
    }

    [SharedDataFact]
    public void CsvPairs_Unit_Has30SameAnd45DifferentUnderImages()
    {
        var list = CsvPairs.Read(SharedData.Path("unit", "pairs.csv"));

        Assert.Equal(75, list.Pairs.Count);
        Assert.Equal(30, list.GenuineCount);
        Assert.Equal(45, list.ImpostorCount);
        Assert.Equal(30, list.DistinctImages().Count);
        Assert.All(list.DistinctImages(), p => Assert.True(File.Exists(p), p));
        Assert.Equal(10, list.Pairs.Select(p => p.Fold).Distinct().Count());
    }

    [SharedDataFact]
    public void CsvPairs_Photos_Has520PairsOf140Same()
    {
        var list = CsvPairs.Read(SharedData.Path("photos", "pairs.csv"));

        Assert.Equal(520, list.Pairs.Count);
        Assert.Equal(140, list.GenuineCount);
        Assert.Equal(61, list.DistinctImages().Count);
        Assert.All(list.DistinctImages(), p => Assert.True(File.Exists(p), p));
    }

    [Fact]
    public void CsvPairs_FoldColumn_IsUsed()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a.jpg"), "x");
        File.WriteAllLines(dir.File("pairs.csv"), ["img_a,img_b,same,fold", "a.jpg,b.jpg,1,3", "a.jpg,c.jpg,0,7"]);

        var list = CsvPairs.Read(dir.File("pairs.csv"));

        Assert.Equal(FoldOrigin.File, list.FoldOrigin);
        Assert.Equal([3, 7], list.Pairs.Select(p => p.Fold));
        Assert.Equal(dir.File("b.jpg"), list.Pairs[0].PathB);
    }

    [Fact]
    public void FoldAssignment_BalancedContiguous_SplitsEachClassIntoEqualBlocks()
    {
        bool[] same = [.. Enumerable.Repeat(true, 6), .. Enumerable.Repeat(false, 4)];
        Assert.Equal([0, 0, 0, 1, 1, 1, 0, 0, 1, 1], FoldAssignment.BalancedContiguous(same, 2));
    }
    [Fact]
    public void AllPairs_IdentityTree_ListsEveryGenuinePairThenEveryImpostorPair()
    {
        using var dir = new TempDirectory();
        foreach (var (who, n) in new[] { ("Ann", 3), ("Bob", 1), ("Cid", 2) })
        {
            Directory.CreateDirectory(dir.File(who));
            for (int i = 1; i <= n; i++) File.WriteAllText(dir.File(Path.Combine(who, $"{i}.jpg")), "x");
        }

        var list = AllPairs.FromIdentityTree(dir.Path, folds: 2);

        Assert.Equal(6 * 5 / 2, list.Pairs.Count);
        Assert.Equal(3 + 0 + 1, list.GenuineCount);
        Assert.True(list.Pairs.Take(4).All(p => p.Same) && list.Pairs.Skip(4).All(p => !p.Same));
        Assert.All(list.Pairs, p => Assert.Equal(p.Same, Path.GetDirectoryName(p.PathA) == Path.GetDirectoryName(p.PathB)));
        Assert.Equal(list.Pairs.Count, list.Pairs.Select(p => (p.PathA, p.PathB)).Distinct().Count());
        Assert.DoesNotContain(list.Pairs, p => p.PathA == p.PathB);
        Assert.Equal([2, 2], list.Pairs.Where(p => p.Same).GroupBy(p => p.Fold).Select(g => g.Count()));
        Assert.Equal(6, list.DistinctImages().Count);
    }

    [Fact]
    public void AllPairs_NoIdentityWithTwoImages_IsBadInput()
    {
        using var dir = new TempDirectory();
        foreach (var who in new[] { "Ann", "Bob" })
        {
            Directory.CreateDirectory(dir.File(who));
            File.WriteAllText(dir.File(Path.Combine(who, "1.jpg")), "x");
        }

        var e = Assert.Throws<FaceKitException>(() => AllPairs.FromIdentityTree(dir.Path));
        Assert.Equal(ErrorCode.BadInput, e.Code);
        Assert.Contains("no genuine pair", e.Message);
    }

    [SharedDataFact]
    public void AllPairs_LfwDevTest_Has983GenuineAndOver1MImpostorPairs()
    {
        var list = AllPairs.FromIdentityTree(SharedData.Path("lfw-devtest", "images"));

        Assert.Equal(1549, list.DistinctImages().Count);
        Assert.Equal(983, list.GenuineCount);
        Assert.Equal(1549 * 1548 / 2 - 983, list.ImpostorCount);
    }
}
